from rest_framework.permissions import BasePermission


class RequiredPermissions(BasePermission):
    """The same Django permissions the admin checks, declared per view and HTTP method.

    A view sets `required_permissions = {"GET": ("calls.view_encuesta",), "POST": (...)}`;
    a method it does not list needs no extra permission beyond authentication.
    """

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        needed = getattr(view, "required_permissions", {}).get(request.method, ())
        return user.has_perms(needed)
