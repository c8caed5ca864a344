from boutique.core.errors import Conflict, DomainError, PermissionDenied, Throttled


class DuplicateAccount(Conflict):
    code = "duplicate_account"
    title = "An account with these details already exists"


class InvalidCredentials(DomainError):
    code = "invalid_credentials"
    status = 401
    title = "The sign-in details are not right"


class AccountNotActive(PermissionDenied):
    code = "account_not_active"
    title = "This account cannot sign in"


class AccountLockedOut(Throttled):
    code = "account_locked_out"
    title = "Too many failed sign-ins"


class OtpThrottled(Throttled):
    code = "otp_throttled"
    title = "Please wait before asking for another code"


class OtpInvalid(DomainError):
    code = "otp_invalid"
    status = 400
    title = "The code is not right"


class OtpExpired(DomainError):
    code = "otp_expired"
    status = 400
    title = "The code has expired"


class OtpAttemptsExceeded(DomainError):
    code = "otp_attempts_exceeded"
    status = 400
    title = "Too many wrong codes"


class InvalidVerificationLink(DomainError):
    code = "invalid_verification_link"
    status = 400
    title = "This verification link is not valid"


class PasswordConfirmationFailed(PermissionDenied):
    code = "password_confirmation_failed"
    title = "The password is not right"
