"""Start-up probe, compiled into the shared example build (``_HANDLER`` selects it): records
the modules loaded when it is imported, i.e. after the runtime's init, exactly where a
handler's own init would start; then uses msgspec's deferred parts."""

# ruff: noqa
import sys

AT_INIT = sorted(sys.modules)


def handler(event, context):
    import uuid

    import msgspec
    import msgspec.json
    import msgspec.toml
    import msgspec.yaml

    class Point(msgspec.Struct):
        x: int
        y: int = 0

    out = {"at_init": AT_INIT}
    info = msgspec.inspect.type_info(Point)  # PEP 562 attribute access, then the import
    out["type_info"] = [f.name for f in info.fields]
    out["schema"] = msgspec.json.schema(Point)
    out["components"] = list(msgspec.json.schema_components([Point])[1])
    out["msgpack"] = msgspec.msgpack.decode(msgspec.msgpack.encode(Point(1, 2)), type=Point).x
    out["compiled"] = {
        m: hasattr(sys.modules[m], "__compiled__")
        for m in ("msgspec.inspect", "msgspec._json_schema", "msgspec.yaml", "msgspec.toml")
    }
    try:
        msgspec.yaml.encode(1)
        out["yaml"] = "encoded"
    except ImportError as exc:  # PyYAML is an optional extra the build leaves out
        out["yaml"] = "ImportError: %s" % exc
    try:
        out["toml"] = msgspec.toml.decode(b"a = 1")  # tomllib from the stdlib (3.11+)
    except ImportError as exc:  # before 3.11 msgspec needs tomli, not a dependency here
        out["toml"] = "ImportError: %s" % exc
    out["uuid"] = [uuid._LINUX, len(str(uuid.uuid4()))]
    out["later"] = sorted(m for m in sys.modules if m not in AT_INIT)
    return out
