"""Who sees what: the audiences (roles) of an installation and the disclosure setting, in one place.

The policy is ``access.yml``: the project's default at the top of the repository, replaced as a whole
by ``<data dir>/access.yml`` when an installation has one. The pipeline reads it to build the
protected tables of every protected audience (roles with ``exact: false``); the dashboard reads it to
decide, on the server and per request, which tables, places and pages a signed-in user's role may
read; ``cpmonitor users`` reads it for the role names.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from cpmonitor.core.settings import PROJECT_ROOT, Settings

DEFAULT_ACCESS_FILE = PROJECT_ROOT / "access.yml"
ACCESS_FILE_NAME = "access.yml"

GEO_LEVELS = ("national", "province", "district")
PERIOD_TYPES = ("year", "quarter", "month")
POWERS = ("users", "audit_log", "sql", "downloads", "annotate")
ROLE_NAMES = ("admin", "planner", "analyst", "donor", "public")
PUBLIC_ROLE = "public"


class AccessError(ValueError):
    """The access policy file is missing or invalid (the message names the file and the rule)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Disclosure(_Strict):
    threshold: int = Field(5, ge=2, le=100)


class _Sessions(_Strict):
    idle_minutes: int = Field(30, ge=1, le=24 * 60)
    absolute_hours: int = Field(12, ge=1, le=24 * 7)
    sign_in_limit: str = "5 per minute;20 per hour"


class _Retention(_Strict):
    archive_days: int = Field(730, ge=1)


class _Role(_Strict):
    label: str
    enabled: bool = True
    exact: bool
    levels: tuple[Literal["national", "province", "district"], ...]
    periods: tuple[Literal["year", "quarter", "month"], ...] = PERIOD_TYPES
    pages: Literal["all"] | tuple[str, ...] = "all"
    can: tuple[Literal["users", "audit_log", "sql", "downloads", "annotate"], ...] = ()

    @field_validator("levels")
    @classmethod
    def _national_first(cls, levels: tuple[str, ...]) -> tuple[str, ...]:
        if not levels:
            raise ValueError("a role must see at least one level")
        return tuple(level for level in GEO_LEVELS if level in levels)

    @model_validator(mode="after")
    def _sql_reads_exact_values(self) -> _Role:
        if "sql" in self.can and not self.exact:
            raise ValueError(
                "a role with the sql power reads the analyst file, which holds exact values "
                "(the indicator values and the analysis cubes): it needs exact: true"
            )
        return self

    @field_validator("periods")
    @classmethod
    def _coarsest_first(cls, periods: tuple[str, ...]) -> tuple[str, ...]:
        if not periods:
            raise ValueError("a role must see at least one period type")
        return tuple(period for period in PERIOD_TYPES if period in periods)


class _Policy(_Strict):
    disclosure: _Disclosure = _Disclosure()
    sessions: _Sessions = _Sessions()
    retention: _Retention = _Retention()
    roles: dict[Literal["admin", "planner", "analyst", "donor", "public"], _Role]

    @field_validator("roles")
    @classmethod
    def _admin_exists(cls, roles: dict) -> dict:
        if "admin" not in roles:
            raise ValueError("the admin role must be defined")
        admin = roles["admin"]
        if not admin.exact or "users" not in admin.can or "audit_log" not in admin.can:
            raise ValueError("the admin role must see exact values and hold users and audit_log")
        return roles


@dataclass(frozen=True)
class Role:
    """One audience: what a user holding this role may read."""

    name: str
    label: str
    enabled: bool
    exact: bool
    levels: tuple[str, ...]
    periods: tuple[str, ...]  # period types (year, quarter, month), coarsest first
    pages: tuple[str, ...] | None  # None: every page
    can: frozenset[str]

    @property
    def protected(self) -> bool:
        """True when the role reads only the protected tables (never exact small counts)."""
        return not self.exact

    def sees_level(self, level: str) -> bool:
        return level in self.levels

    def sees_period(self, period_type: str) -> bool:
        return period_type in self.periods

    def period_or_nearest(self, period_type: str) -> str:
        """``period_type`` when the role sees it, else the finest period type it does see."""
        return period_type if period_type in self.periods else self.periods[-1]

    def may_open(self, page_name: str) -> bool:
        return self.pages is None or page_name in self.pages

    def may(self, power: str) -> bool:
        return power in self.can


@dataclass(frozen=True)
class AccessPolicy:
    """The whole policy of an installation (``load_access``)."""

    source: Path
    threshold: int
    idle_minutes: int
    absolute_hours: int
    sign_in_limit: str
    archive_days: int
    roles: dict[str, Role]

    def role(self, name: str) -> Role:
        """The role called ``name``; ``AccessError`` for a role the policy does not define."""
        try:
            return self.roles[name]
        except KeyError:
            known = ", ".join(self.roles)
            raise AccessError(f"unknown role {name!r} (roles in {self.source}: {known})") from None

    @property
    def protected_roles(self) -> tuple[Role, ...]:
        """Every role that reads protected tables, enabled or not (so turning the public view on
        needs no rebuild), in policy order."""
        return tuple(role for role in self.roles.values() if role.protected)

    @property
    def public_role(self) -> Role | None:
        """The role of visitors who are not signed in, or None when the public view is off."""
        role = self.roles.get(PUBLIC_ROLE)
        return role if role is not None and role.enabled else None


def access_file(settings: Settings | None = None) -> Path:
    """The policy file in force: ``<data dir>/access.yml`` when there is one, else the default."""
    if settings is not None:
        local = settings.data_dir / ACCESS_FILE_NAME
        if local.is_file():
            return local
    return DEFAULT_ACCESS_FILE


def load_access(settings: Settings | None = None, path: Path | None = None) -> AccessPolicy:
    """Read and validate the access policy (``path``, or the one in force for ``settings``)."""
    source = Path(path) if path is not None else access_file(settings)
    try:
        raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    except OSError as exc:
        raise AccessError(f"cannot read the access policy {source}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise AccessError(f"{source} is not valid YAML: {exc}") from exc
    try:
        policy = _Policy.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
            for error in exc.errors()
        )
        raise AccessError(f"{source}: {problems}") from None
    roles = {
        name: Role(
            name=name,
            label=spec.label,
            enabled=spec.enabled,
            exact=spec.exact,
            levels=spec.levels,
            periods=spec.periods,
            pages=None if spec.pages == "all" else tuple(spec.pages),
            can=frozenset(spec.can),
        )
        for name, spec in policy.roles.items()
    }
    return AccessPolicy(
        source=source,
        threshold=policy.disclosure.threshold,
        idle_minutes=policy.sessions.idle_minutes,
        absolute_hours=policy.sessions.absolute_hours,
        sign_in_limit=policy.sessions.sign_in_limit,
        archive_days=policy.retention.archive_days,
        roles=roles,
    )
