"""The QR code of a member for its letter: it holds the member's code, which the door's
check-in page reads with the phone's camera (static/attendance/scan.js)."""

import base64
import io


def member_qr_data_uri(code: str) -> str:
    """``BESLUIT-LID:<code>`` as an SVG QR code in a data: URI (allowed by img-src)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(f"BESLUIT-LID:{code}", image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()
