# ruff: noqa: E501 (the override table holds one operation per line)
"""Python names for a model's operations and members.

``method_name`` follows botocore's ``xform_name`` (checked against it over every operation of
every installed service in tests/clients): a trailing plural acronym becomes one word
(``ListARNs`` -> ``list_arns``), then a word boundary is placed before each capitalised word
and between a lower-case letter or digit and a capital.
"""

from __future__ import annotations

import keyword
import re

_PLURAL_ACRONYM = re.compile(r"[A-Z]{2,}s$")
_CAPITALISED_WORD = re.compile(r"(.)([A-Z][a-z]+)")
_LOWER_THEN_UPPER = re.compile(r"([a-z0-9])([A-Z])")
#: Operations whose words the two rules split differently from botocore (its own table).
_OVERRIDES = {
    "AssociateWhatsAppBusinessAccount": "associate_whatsapp_business_account",
    "CreateCachediSCSIVolume": "create_cached_iscsi_volume",
    "CreateOAuth2Token": "create_oauth2_token",
    "CreateOAuth2TokenWithIAM": "create_oauth2_token_with_iam",
    "CreateStorediSCSIVolume": "create_stored_iscsi_volume",
    "CreateWhatsAppDataset": "create_whatsapp_dataset",
    "CreateWhatsAppFlow": "create_whatsapp_flow",
    "CreateWhatsAppMessageTemplate": "create_whatsapp_message_template",
    "CreateWhatsAppMessageTemplateFromLibrary": "create_whatsapp_message_template_from_library",
    "CreateWhatsAppMessageTemplateMedia": "create_whatsapp_message_template_media",
    "DeleteWhatsAppFlow": "delete_whatsapp_flow",
    "DeleteWhatsAppMessageMedia": "delete_whatsapp_message_media",
    "DeleteWhatsAppMessageTemplate": "delete_whatsapp_message_template",
    "DeprecateWhatsAppFlow": "deprecate_whatsapp_flow",
    "DescribeCachediSCSIVolumes": "describe_cached_iscsi_volumes",
    "DescribeStorediSCSIVolumes": "describe_stored_iscsi_volumes",
    "DisassociateWhatsAppBusinessAccount": "disassociate_whatsapp_business_account",
    "GetLinkedWhatsAppBusinessAccount": "get_linked_whatsapp_business_account",
    "GetLinkedWhatsAppBusinessAccountPhoneNumber": "get_linked_whatsapp_business_account_phone_number",
    "GetOTelEnrichment": "get_otel_enrichment",
    "GetWhatsAppBusinessPublicKey": "get_whatsapp_business_public_key",
    "GetWhatsAppCallPermission": "get_whatsapp_call_permission",
    "GetWhatsAppFlow": "get_whatsapp_flow",
    "GetWhatsAppFlowPreview": "get_whatsapp_flow_preview",
    "GetWhatsAppMessageMedia": "get_whatsapp_message_media",
    "GetWhatsAppMessageTemplate": "get_whatsapp_message_template",
    "IntrospectOAuth2TokenWithIAM": "introspect_oauth2_token_with_iam",
    "ListHITsForQualificationType": "list_hits_for_qualification_type",
    "ListLinkedWhatsAppBusinessAccounts": "list_linked_whatsapp_business_accounts",
    "ListWhatsAppFlowAssets": "list_whatsapp_flow_assets",
    "ListWhatsAppFlows": "list_whatsapp_flows",
    "ListWhatsAppMessageTemplates": "list_whatsapp_message_templates",
    "ListWhatsAppTemplateLibrary": "list_whatsapp_template_library",
    "PostWhatsAppMessageMedia": "post_whatsapp_message_media",
    "PublishWhatsAppFlow": "publish_whatsapp_flow",
    "PutWhatsAppBusinessAccountEventDestinations": "put_whatsapp_business_account_event_destinations",
    "PutWhatsAppBusinessPublicKey": "put_whatsapp_business_public_key",
    "RevokeOAuth2TokenWithIAM": "revoke_oauth2_token_with_iam",
    "SendWhatsAppCallEvent": "send_whatsapp_call_event",
    "SendWhatsAppConversionEvent": "send_whatsapp_conversion_event",
    "SendWhatsAppMessage": "send_whatsapp_message",
    "StartOTelEnrichment": "start_otel_enrichment",
    "StopOTelEnrichment": "stop_otel_enrichment",
    "UpdateLinkedWhatsAppBusinessAccountPhoneNumber": "update_linked_whatsapp_business_account_phone_number",
    "UpdateOTelEnrichment": "update_otel_enrichment",
    "UpdateWhatsAppFlow": "update_whatsapp_flow",
    "UpdateWhatsAppFlowAssets": "update_whatsapp_flow_assets",
    "UpdateWhatsAppMessageTemplate": "update_whatsapp_message_template",
}


def method_name(name: str) -> str:
    """``GetItem`` -> ``get_item``; names that already hold ``_`` are kept."""
    if "_" in name:
        return name
    if name in _OVERRIDES:
        return _OVERRIDES[name]
    found = _PLURAL_ACRONYM.search(name)
    if found is not None:
        name = name[: -len(found.group())] + "_" + found.group().lower()
    spaced = _CAPITALISED_WORD.sub(r"\1_\2", name)
    result = _LOWER_THEN_UPPER.sub(r"\1_\2", spaced).lower()
    return result


#: Attribute names that would shadow the annotations' own names inside a class body.
_SHADOWING = frozenset(
    ("bool", "bytes", "datetime", "dict", "float", "int", "list", "object", "str", "to_dict", "get")
)


def attribute_name(member: str) -> str:
    """A member's attribute on a result Struct: snake case, never a keyword."""
    name = method_name(member).replace("-", "_").replace(".", "_")
    if not name.isidentifier() or keyword.iskeyword(name) or name in _SHADOWING:
        name += "_"
    if not name.isidentifier():
        name = "f_" + "".join(c if c.isalnum() else "_" for c in name)
    return name


#: Names the generated module defines itself: shapes with these names get a ``Shape`` suffix.
RESERVED = frozenset(
    {"Client", "UNSET", "Any", "Paginator", "ServiceError", "datetime", "exceptions", "object"}
)


def class_name(shape: str) -> str:
    name = "".join(c if c.isalnum() or c == "_" else "_" for c in shape)
    if not name or name[0].isdigit():
        name = "S" + name
    if name in RESERVED or keyword.iskeyword(name) or name.startswith("_"):
        name += "Shape"
    return name
