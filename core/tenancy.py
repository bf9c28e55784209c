"""The one tenancy scope: which municipalities a user may see, for reading and for acting.

Every place that decides visibility asks `scope_for(user)` (or `scope_for_request(request)`,
computed once per request) and reads one property of the answer:

| question | property | who |
| --- | --- | --- |
| whose cases may I work? | `clerk_of` | clerk memberships |
| whose treasury (statements, refunds, payee records) do I manage? | `admin_of` | municipal admin memberships |
| whose configuration, audit trail, payments and statistics may I read? | `reach` | superuser: all (`None`); district admin: their district and its towns; municipal admin: their towns |
| may I see the district dashboard? | `sees_dashboard` | anyone with a `reach` |
| may I open the clerks' workspace? | `works_cases` | anyone with a clerk membership |
| whose cases may I search for one person's data (GDPR access and erasure)? | `privacy_of` | privacy officer memberships of a district: it and every town in it |
| what does the database's row-level security let this connection see? | `rls_value()` | all memberships and the district reach; `*` for superusers and system contexts |

A district admin's scope is their district and every town in it, everywhere (admin,
dashboard, row-level security): there is one definition of it, here."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q
from django.http import HttpRequest

from municipalities.models import Membership, Municipality

Role = Membership.Role
User = AbstractBaseUser | AnonymousUser
ALL = "*"


@dataclass(frozen=True)
class Scope:
    """What one user may see. Empty for anonymous users (citizens reach a case only through
    its access token, which the case selectors check)."""

    authenticated: bool = False
    superuser: bool = False
    # (role, municipality id) of every membership.
    memberships: frozenset[tuple[str, int]] = field(default_factory=frozenset)
    # For district admins: their districts and every town in them.
    district: frozenset[int] = field(default_factory=frozenset)
    # For privacy officers: their districts and every town in them.
    privacy_of: frozenset[int] = field(default_factory=frozenset)

    def ids(self, *roles: str) -> frozenset[int]:
        """Municipalities where the user holds one of `roles` (any role when none given)."""
        return frozenset(m for role, m in self.memberships if not roles or role in roles)

    @property
    def clerk_of(self) -> frozenset[int]:
        """Processing authorities whose cases the user works (acting on cases)."""
        return self.ids(Role.CLERK)

    @property
    def admin_of(self) -> frozenset[int]:
        """Towns whose payee data, statements and refunds the user manages."""
        return self.ids(Role.MUNICIPAL_ADMIN)

    @property
    def district_admin(self) -> bool:
        return bool(self.district)

    @property
    def municipal_admin(self) -> bool:
        """A municipal admin whose reach is their own towns (no district-wide role)."""
        return not self.superuser and not self.district and bool(self.admin_of)

    @property
    def reach(self) -> frozenset[int] | None:
        """Municipalities whose configuration, records and statistics the user may read:
        None means every municipality (superusers)."""
        if self.superuser:
            return None
        if self.district:
            return self.district
        return self.admin_of

    @property
    def sees_dashboard(self) -> bool:
        return self.superuser or bool(self.reach)

    @property
    def works_cases(self) -> bool:
        """The workspace shows the queues of `clerk_of`: without one, it refuses (403)."""
        return bool(self.clerk_of)

    def rls_value(self) -> str:
        """The row-level-security setting for this user's connection (core/rls.py): `*` for
        superusers and for system contexts (no signed-in user), else their municipalities."""
        if not self.authenticated or self.superuser:
            return ALL
        return ",".join(str(i) for i in sorted(self.ids() | self.district | self.privacy_of))


NOBODY = Scope()


def scope_for(user: User | None) -> Scope:
    """The scope of `user`: one query for the memberships, one more each for a district
    admin's and a privacy officer's towns."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOBODY
    memberships = frozenset(
        Membership.objects.filter(user=user).values_list("role", "municipality_id")
    )
    return Scope(
        authenticated=True,
        superuser=bool(user.is_superuser),
        memberships=memberships,
        district=_with_towns({m for role, m in memberships if role == Role.DISTRICT_ADMIN}),
        privacy_of=_with_towns({m for role, m in memberships if role == Role.PRIVACY_OFFICER}),
    )


def _with_towns(districts: set[int]) -> frozenset[int]:
    """The districts and every town in them (one query; none without districts)."""
    if not districts:
        return frozenset()
    return frozenset(
        Municipality.objects.filter(Q(pk__in=districts) | Q(parent_id__in=districts))
        .values_list("pk", flat=True)
        .order_by()
    )


def scope_for_request(request: HttpRequest) -> Scope:
    """`scope_for(request.user)`, computed once per request."""
    cached = getattr(request, "_portal_scope", None)
    if cached is None:
        cached = scope_for(getattr(request, "user", None))
        request._portal_scope = cached
    return cached
