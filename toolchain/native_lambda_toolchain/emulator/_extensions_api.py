"""The Extensions API (2020-01-01): register, ``event/next``, init and exit errors."""

from __future__ import annotations

import json
import uuid

from . import _errors as err
from ._config import ACCEPTED
from ._http import Request
from ._runtime_api import RuntimeApi
from ._sandbox import Extension, Outcome, Sandbox

MAX_EXTENSIONS = 10


class ExtensionsApi(RuntimeApi):
    """Extensions register during init and get INVOKE and SHUTDOWN events."""

    def _extension_register(self, req: Request) -> None:
        sb = self._external_sandbox()
        name = req.headers.get("lambda-extension-name", "")
        if not name:
            req.respond(
                *err.extension_error("Extension.InvalidExtensionName", "Empty extension name")
            )
            return
        try:
            events = json.loads(req.body or b"{}").get("events") or []
            if not isinstance(events, list):
                raise ValueError("events must be a list")
        except (ValueError, AttributeError) as exc:
            req.respond(*err.extension_error("InvalidRequestFormat", str(exc)))
            return
        external = name in self.config.external_extensions
        for event in events:
            if event == "SHUTDOWN" and not external:
                reason = "ShutdownEventNotSupportedForInternalExtension"
            elif event not in ("INVOKE", "SHUTDOWN"):
                reason = "ErrorInvalidEventType"
            else:
                continue
            req.respond(*err.extension_error("Extension.InvalidEventType", f"{event}: {reason}"))
            return
        if sb is None or sb.dead or not sb.registration_open:
            req.respond(
                *err.extension_error(
                    "Extension.RegistrationClosed", "Extension registration closed already"
                )
            )
            return
        if any(e.name == name for e in sb.extensions.values()):
            req.respond(
                *err.extension_error(
                    "Extension.InvalidExtensionState", "Extension with this name already registered"
                )
            )
            return
        if len(sb.extensions) >= MAX_EXTENSIONS:
            req.respond(
                *err.extension_error(
                    "Extension.TooManyExtensions", f"Extension limit ({MAX_EXTENSIONS}) reached"
                )
            )
            return
        ext = Extension(str(uuid.uuid4()), name, frozenset(events))
        sb.extensions[ext.id] = ext
        cfg = self.config
        body = json.dumps(
            {
                "functionName": cfg.function_name,
                "functionVersion": cfg.version,
                "handler": cfg.handler,
            }
        ).encode()
        req.respond(200, body, [("Lambda-Extension-Identifier", ext.id)])

    def _find_extension(self, req: Request) -> tuple[Sandbox, Extension] | None:
        ext_id = req.headers.get("lambda-extension-identifier", "")
        if not ext_id:
            req.respond(
                *err.extension_error(
                    "Extension.MissingExtensionIdentifier",
                    "Missing Lambda-Extension-Identifier header",
                )
            )
            return None
        try:
            uuid.UUID(ext_id)
        except ValueError:
            req.respond(
                *err.extension_error(
                    "Extension.InvalidExtensionIdentifier", "Invalid Lambda-Extension-Identifier"
                )
            )
            return None
        sb = self._sandbox
        ext = sb.extensions.get(ext_id) if sb is not None else None
        if sb is None or ext is None:
            req.respond(
                *err.extension_error(
                    "Extension.UnknownExtensionIdentifier", f"Unknown extension {ext_id}"
                )
            )
            return None
        return sb, ext

    def _extension_next(self, req: Request) -> None:
        found = self._find_extension(req)
        if found is None:
            return
        sb, ext = found
        ext.called_next = True
        ext.busy = False
        if ext.queued:
            ext.respond(req, ext.queued.popleft())
        else:
            ext.waiting = req
        self._check_init_done(sb)
        sb.notify()
        self._pump()

    def _extension_init_error(self, req: Request) -> None:
        found = self._find_extension(req)
        if found is None:
            return
        sb, _ = found
        if not sb.init_settled:
            error_type = (
                req.headers.get("lambda-extension-function-error-type") or "Extension.Unknown"
            )
            sb.init_failure = Outcome("init", req.body, error_type)
            sb.init_failed_at = sb.loop.time()
            self._init_report_error(sb, error_type)
        req.respond(202, ACCEPTED)
        sb.notify()

    def _extension_exit_error(self, req: Request) -> None:
        if self._find_extension(req) is not None:
            req.respond(202, ACCEPTED)
