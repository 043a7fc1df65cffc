"""Tagged PDF: what WeasyPrint's PDF/UA-1 output leaves for us to finish.

WeasyPrint tags the document itself: the structure tree (headings, lists, tables with
their header cells, figures with the SVG's <title> as alternative text), /Lang from
``<html lang>``, the title from ``<title>``, shown by viewers (DisplayDocTitle), and
borders and backgrounds painted as artifacts. The text in page margin boxes (the running
header, the page numbers and the DRAFT mark, a running element placed there) it marks as
content but hangs nowhere in the tree: neither real content nor artifact, which a
checker refuses and a screen reader may still read on every page.
``margins_as_artifacts`` makes that text artifacts, as PDF/UA asks of page furniture.
"""

import pydyf

# Tagged, with the PDF/UA identification in the metadata.
VARIANT = "pdf/ua-1"


def _number(reference: bytes) -> int:
    return int(reference.split()[0])


def _object(pdf: pydyf.PDF, reference: bytes):
    return pdf.objects[_number(reference)]


def _in_tree(pdf: pydyf.PDF, root: pydyf.Dictionary) -> set[int]:
    """The object numbers of the structure elements reachable from the root."""
    seen, todo = set(), list(root["K"])
    while todo:
        kid = todo.pop()
        if not isinstance(kid, bytes):  # a marked-content id
            continue
        element = _object(pdf, kid)
        if element.number not in seen:
            seen.add(element.number)
            todo.extend(element.get("K", ()))
    return seen


def _unmark(stream: pydyf.Stream, mcids: set[int]) -> set[int]:
    """Turn the marked-content sequences ``mcids`` of a page's content into artifacts;
    the ids found. pydyf keeps a stream as its operators, so ``/Span <</MCID 3>> BDC`` is
    three items."""
    operators, found = [], set()
    for item in stream.stream:
        if item == b"BDC" and isinstance(operators[-1], pydyf.Dictionary):
            mcid = operators[-1].get("MCID")
            if mcid in mcids:
                operators[-2:] = ["/Artifact", b"BMC"]
                found.add(mcid)
                continue
        operators.append(item)
    stream.stream = operators
    return found


def margins_as_artifacts(document, pdf: pydyf.PDF) -> None:
    """A WeasyPrint finisher (``write_pdf(finisher=...)``): content whose structure
    element is outside the tree becomes an artifact, and leaves the parent tree."""
    root = _object(pdf, pdf.catalog["StructTreeRoot"])
    in_tree = _in_tree(pdf, root)
    # WeasyPrint's parent tree: page number, then that page's elements by MCID.
    numbers = _object(pdf, root["ParentTree"])["Nums"]
    for page_number, page in enumerate(pdf.page_references):
        elements = numbers[2 * page_number + 1]
        outside = {mcid for mcid, element in enumerate(elements) if _number(element) not in in_tree}
        if outside:
            # Only the page's own stream: text drawn in a group (say with opacity)
            # keeps WeasyPrint's marks, and so its parent tree entry.
            for mcid in _unmark(_object(pdf, _object(pdf, page)["Contents"]), outside):
                elements[mcid] = "null"
