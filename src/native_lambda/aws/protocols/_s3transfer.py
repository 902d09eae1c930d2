"""S3 uploads from a file: one ``PutObject`` below the threshold, a multipart upload above
it (parts read one at a time, so memory stays at one part; aborted on failure)."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional

#: S3's smallest part (except the last) is 5 MiB; boto3 uses 8 MiB for both numbers.
MULTIPART_THRESHOLD = 8 * 1024 * 1024
PART_SIZE = 8 * 1024 * 1024


def upload_fileobj(
    client: Any,
    fileobj: Any,
    bucket: str,
    key: str,
    extra: Optional[Dict[str, Any]] = None,
    *,
    threshold: int = MULTIPART_THRESHOLD,
    part_size: int = PART_SIZE,
) -> None:
    if part_size < 5 * 1024 * 1024:
        raise ValueError("S3 parts are at least 5 MiB")
    extra = dict(extra or {})
    first = fileobj.read(threshold)
    if isinstance(first, str):
        raise TypeError("upload a file opened in binary mode ('rb')")
    if len(first) < threshold:
        client.put_object(Bucket=bucket, Key=key, Body=first, **extra)
        return
    upload = client.create_multipart_upload(Bucket=bucket, Key=key, **extra)
    upload_id = upload.upload_id
    parts: List[Dict[str, Any]] = []
    pending = first
    try:
        while True:
            more = fileobj.read(part_size)
            pending += more
            # Full parts while more data follows; at the end, the rest (the last may be small).
            while len(pending) > part_size or (not more and pending):
                chunk, pending = pending[:part_size], pending[part_size:]
                parts.append(_part(client, bucket, key, upload_id, len(parts) + 1, chunk))
            if not more:
                break
        client.complete_multipart_upload(
            Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts}
        )
    except BaseException:
        client.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
        raise


def _part(
    client: Any, bucket: str, key: str, upload_id: str, number: int, data: bytes
) -> Dict[str, Any]:
    result = client.upload_part(
        Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=data
    )
    return {"ETag": result.e_tag, "PartNumber": number}


def upload_file(
    client: Any,
    filename: str,
    bucket: str,
    key: str,
    extra: Optional[Dict[str, Any]] = None,
    **sizes: int,
) -> None:
    with open(filename, "rb") as handle:
        upload_fileobj(client, handle, bucket, key, extra, **sizes)
