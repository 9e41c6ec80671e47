"""Minimal, valid document and message writers for the labelled corpus (standard library only).

PDF: one page per ~50 lines, Helvetica, a FlateDecode or plain content stream, a correct xref.
DOCX / XLSX: the smallest Office Open XML packages Word and Excel open (zip + XML).
CSV: plain text. Messages: `email.message.EmailMessage` with CRLF line ends.
"""

import email.policy
import io
import zipfile
import zlib
from email.message import EmailMessage
from xml.sax.saxutils import escape

# ---------------------------------------------------------------------------- PDF


def _pdf_string(s):
    s = s.encode("latin-1", "replace")
    return b"(" + s.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def pdf(lines, compress=True, kerned=False):
    """A PDF showing `lines` (str), one text line each. `kerned` writes words as TJ arrays."""
    pages = [lines[i : i + 50] for i in range(0, max(len(lines), 1), 50)] or [[]]
    objs = {}
    n_pages = len(pages)
    font_id = 3 + 2 * n_pages
    kids = []
    for p, page_lines in enumerate(pages):
        page_id, content_id = 3 + 2 * p, 4 + 2 * p
        kids.append(page_id)
        ops = [b"BT", b"/F1 10 Tf", b"14 TL", b"72 740 Td"]
        for line in page_lines:
            if kerned and " " in line:
                parts = [_pdf_string(w) for w in line.split(" ")]
                ops.append(b"[" + b" -350 ".join(parts) + b"] TJ T*")
            else:
                ops.append(_pdf_string(line) + b" Tj T*")
        ops.append(b"ET")
        stream = b"\n".join(ops) + b"\n"
        if compress:
            data = zlib.compress(stream)
            head = b"<< /Length %d /Filter /FlateDecode >>" % len(data)
        else:
            data = stream
            head = b"<< /Length %d >>" % len(data)
        objs[content_id] = head + b"\nstream\n" + data + b"\nendstream"
        objs[page_id] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
            b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (content_id, font_id)
        )
    objs[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objs[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        n_pages,
    )
    objs[font_id] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for i in sorted(objs):
        offsets[i] = out.tell()
        out.write(b"%d 0 obj\n" % i + objs[i] + b"\nendobj\n")
    xref = out.tell()
    count = max(objs) + 1
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % count)
    for i in range(1, count):
        out.write(b"%010d 00000 n \n" % offsets[i])
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (count, xref))
    return out.getvalue()


# ---------------------------------------------------------------------------- OOXML

_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="{target}"/></Relationships>'
)


def _zip(members):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return buf.getvalue()


def docx(paragraphs):
    """A DOCX with one paragraph per string; a paragraph may split into several runs."""
    body = []
    for p in paragraphs:
        runs = "".join(
            '<w:r><w:t xml:space="preserve">%s</w:t></w:r>' % escape(chunk)
            for chunk in _runs(p)
        )
        body.append("<w:p>%s</w:p>" % runs)
    doc = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body>%s</w:body></w:document>" % "".join(body)
    )
    types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    return _zip(
        [
            ("[Content_Types].xml", types),
            ("_rels/.rels", _RELS.format(target="word/document.xml")),
            ("word/document.xml", doc),
        ]
    )


def _runs(p):
    # Word splits text into runs at formatting changes; split at the first ": " like a bold label.
    if ": " in p:
        a, b = p.split(": ", 1)
        return [a + ": ", b]
    return [p]


def _col(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def xlsx(rows):
    """An XLSX with one sheet; strings go to sharedStrings, ints and floats stay numbers."""
    shared, index = [], {}
    xml_rows = []
    for r, row in enumerate(rows, 1):
        cells = []
        for c, v in enumerate(row):
            ref = "%s%d" % (_col(c), r)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                cells.append('<c r="%s"><v>%s</v></c>' % (ref, v))
            else:
                v = str(v)
                if v not in index:
                    index[v] = len(shared)
                    shared.append(v)
                cells.append('<c r="%s" t="s"><v>%d</v></c>' % (ref, index[v]))
        xml_rows.append('<row r="%d">%s</row>' % (r, "".join(cells)))
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    sheet = '<?xml version="1.0" encoding="UTF-8"?>\n<worksheet %s><sheetData>%s</sheetData></worksheet>' % (
        ns,
        "".join(xml_rows),
    )
    sst = '<?xml version="1.0" encoding="UTF-8"?>\n<sst %s count="%d" uniqueCount="%d">%s</sst>' % (
        ns,
        len(shared),
        len(shared),
        "".join("<si><t>%s</t></si>" % escape(s) for s in shared),
    )
    workbook = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<workbook %s xmlns:r="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>" % ns
    )
    wb_rels = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
    )
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    types = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="%s.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="%s.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="%s.sharedStrings+xml"/></Types>'
        % (ct, ct, ct)
    )
    return _zip(
        [
            ("[Content_Types].xml", types),
            ("_rels/.rels", _RELS.format(target="xl/workbook.xml")),
            ("xl/workbook.xml", workbook),
            ("xl/_rels/workbook.xml.rels", wb_rels),
            ("xl/worksheets/sheet1.xml", sheet),
            ("xl/sharedStrings.xml", sst),
        ]
    )


def csv_bytes(rows):
    out = io.StringIO()
    for row in rows:
        cells = []
        for v in row:
            v = str(v)
            if any(ch in v for ch in ',"\n'):
                v = '"' + v.replace('"', '""') + '"'
            cells.append(v)
        out.write(",".join(cells) + "\r\n")
    return out.getvalue().encode("utf-8")


# ---------------------------------------------------------------------------- messages

MIME = {
    "pdf": ("application", "pdf"),
    "docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "csv": ("text", "csv"),
}


def message(sender, to, subject, text=None, html=None, attachments=(), nested=None, msgid="", date=""):
    """An RFC 5322 message. `attachments`: (filename, ext, bytes); `nested`: an EmailMessage."""
    m = EmailMessage(policy=email.policy.SMTP)
    m["From"] = sender
    m["To"] = to
    m["Subject"] = subject
    m["Date"] = date
    m["Message-ID"] = msgid
    if text is not None:
        m.set_content(text)
        if html is not None:
            m.add_alternative(html, subtype="html")
    elif html is not None:
        m.set_content(html, subtype="html")
    for name, ext, data in attachments:
        maintype, subtype = MIME[ext]
        if maintype == "text":
            m.add_attachment(data.decode("utf-8"), subtype=subtype, filename=name)
        else:
            m.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    if nested is not None:
        m.add_attachment(nested)
    return m.as_bytes(policy=email.policy.SMTP)
