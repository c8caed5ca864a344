from django.core.management.base import BaseCommand, CommandError

from boutique.catalog.generate import IMAGE_CHOICES, catalog_generate, catalog_generated_count


class Command(BaseCommand):
    help = (
        "Append a large synthetic catalogue for benchmarks (bulk inserts, bypasses the "
        "per-row services; not for real shop data). Reruns append more products; "
        "--up-to N tops the generated catalogue up to N products (nothing when it has them)."
    )

    def add_arguments(self, parser):
        how_many = parser.add_mutually_exclusive_group(required=True)
        how_many.add_argument("--products", type=int, help="How many to add.")
        how_many.add_argument(
            "--up-to", type=int, help="Add only what is missing to reach this many generated."
        )
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--images",
            choices=IMAGE_CHOICES,
            default="shared",
            help="shared: every product shows one generated picture; none: no images.",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, **options):
        if options["up_to"] is not None:
            if options["up_to"] < 0:
                raise CommandError("--up-to must be at least 0.")
            have = catalog_generated_count()
            products = options["up_to"] - have
            if products <= 0:
                self.stdout.write(f"The catalogue already has {have} generated products.")
                return
        else:
            products = options["products"]
            if products < 1:
                raise CommandError("--products must be at least 1.")
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        summary = catalog_generate(
            products=products,
            batch_size=options["batch_size"],
            seed=options["seed"],
            images=options["images"],
            progress=not options["no_progress"],
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {summary.products} products ({summary.variants} variants) "
                f"from GEN-{summary.first_number:08d} in {summary.seconds:.1f} s."
            )
        )
