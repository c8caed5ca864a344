from boutique.core.errors import ValidationFailed


class SizeBandOverlap(ValidationFailed):
    code = "size_band_overlap"
    title = "The size band overlaps another band of the same kind"
