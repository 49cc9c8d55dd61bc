"""Gap rules, one module per family. Importing this package registers them all."""
from . import evidence, contacts, diary, plan, auto_only  # noqa: F401  (registration order = docs order)
from ..assessment import rules as assessment  # noqa: F401,E402  (the assessor's voice: generator/assessment/)
