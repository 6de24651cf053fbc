from rest_framework.permissions import BasePermission


class RequiredPermissions(BasePermission):
    """The same Django permissions the admin checks, declared per view and HTTP method.

    A view sets `required_permissions = {"GET": ("calls.view_encuesta",), "POST": (...)}`;
    a method it does not list needs no extra permission beyond authentication (the permission
    matrix test fails for any method a view implements without listing it). HEAD needs GET's.
    """

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        method = "GET" if request.method == "HEAD" else request.method
        needed = getattr(view, "required_permissions", {}).get(method, ())
        return user.has_perms(needed)
