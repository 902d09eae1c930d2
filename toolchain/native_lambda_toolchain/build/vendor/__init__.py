"""Library vendoring, as auditwheel separates it: ``analyse`` (what the build's ELFs need),
``plan`` (where each library goes: layer, function or the target system, and the rpaths),
``apply`` (copy, patch, verify in a simulated target), with every patchelf call in
``patcher``. ``vendor()`` runs all three.
"""

from __future__ import annotations

from .apply import VendorReport, layer_entries, vendor, verify
from .plan import LayerLib

__all__ = ["LayerLib", "VendorReport", "layer_entries", "vendor", "verify"]
