"""Several tagged PDFs as one tagged PDF (a pack's book).

pypdf's ``PdfWriter.append`` copies pages, annotations and bookmarks but drops the
structure tree: the merged book would be untagged. ``TaggedBook`` appends the same way,
then copies each part's structure tree into the book's, under a ``Part`` element named
for the part: the elements point at the book's pages, the pages at their new entries in
the book's parent tree, link annotations at their ``Link`` elements. The page contents
are copied as they are, so their marked-content ids, and their artifacts, still hold.

A part without a structure tree (a PDF stored before the app tagged its PDFs) keeps
its pages, untagged.
"""

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    TextStringObject,
)


def _number_tree(node) -> dict[int, object]:
    """A number tree (the parent tree) as a dict: flat /Nums, or /Kids of those."""
    node = node.get_object()
    numbers = node.get("/Nums", [])
    found = {int(numbers[i]): numbers[i + 1] for i in range(0, len(numbers), 2)}
    for kid in node.get("/Kids", []):
        found |= _number_tree(kid)
    return found


def _kids(element: DictionaryObject) -> list:
    kids = element.get("/K", [])
    return list(kids) if isinstance(kids, list) else [kids]


class TaggedBook:
    def __init__(self, *, title: str, language: str):
        self.writer = PdfWriter()
        self.writer.add_metadata({"/Title": title})
        root = self.writer.root_object
        root[NameObject("/Lang")] = TextStringObject(language)
        root[NameObject("/MarkInfo")] = DictionaryObject(
            {NameObject("/Marked"): BooleanObject(True)}
        )
        root[NameObject("/ViewerPreferences")] = DictionaryObject(
            {NameObject("/DisplayDocTitle"): BooleanObject(True)}
        )
        self._parent_tree = ArrayObject()  # /Nums: key, value, key, value...
        tree_root = DictionaryObject({NameObject("/Type"): NameObject("/StructTreeRoot")})
        self._tree_root = self.writer._add_object(tree_root)
        self._document = self._element("/Document", self._tree_root)
        tree_root[NameObject("/K")] = ArrayObject([self._document])
        tree_root[NameObject("/ParentTree")] = self.writer._add_object(
            DictionaryObject({NameObject("/Nums"): self._parent_tree})
        )
        root[NameObject("/StructTreeRoot")] = self._tree_root
        self._parts = 0

    def _element(self, kind: str, parent: IndirectObject) -> IndirectObject:
        element = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/StructElem"),
                NameObject("/S"): NameObject(kind),
                NameObject("/P"): parent,
                NameObject("/K"): ArrayObject(),
            }
        )
        reference = self.writer._add_object(element)
        if parent != self._tree_root:
            parent.get_object()["/K"].append(reference)
        return reference

    def _key(self, value) -> NumberObject:
        """A new entry of the book's parent tree."""
        key = NumberObject(len(self._parent_tree) // 2)
        self._parent_tree.extend([key, value])
        return key

    def append(self, reader: PdfReader, *, outline_item: str) -> None:
        first = len(self.writer.pages)
        self.writer.append(reader, outline_item=outline_item)
        source_root = reader.root_object.get("/StructTreeRoot")
        if source_root is None:
            return
        self._parts += 1
        copy = _PartCopy(self, reader, self.writer.pages[first:], prefix=f"part{self._parts}-")
        part = self._element("/Part", self._document)
        part.get_object()[NameObject("/T")] = TextStringObject(outline_item)
        if "/Lang" in reader.root_object:
            part.get_object()[NameObject("/Lang")] = TextStringObject(reader.root_object["/Lang"])
        for top in _kids(source_root.get_object()):  # the part's Document element(s)
            for kid in _kids(top.get_object()):
                copy.element(kid.get_object(), part)
        copy.link_pages(_number_tree(source_root.get_object()["/ParentTree"]))

    def write(self, out) -> None:
        self.writer.write(out)


class _PartCopy:
    """One part's structure elements copied into the book."""

    def __init__(self, book: TaggedBook, reader: PdfReader, pages, prefix: str):
        self.book, self.prefix = book, prefix
        self.pairs = list(zip(reader.pages, pages, strict=True))
        self.pages = {
            source.indirect_reference.idnum: page.indirect_reference for source, page in self.pairs
        }
        self.copies: dict[int, IndirectObject] = {}  # source object number -> copy
        self.annotations = dict(self._annotations())

    def _annotations(self):
        """Each source annotation's copy on the book's page (pypdf copies annotations
        anew, dropping links whose destination it cannot place): told by position."""
        for source, page in self.pairs:
            copies = {}
            for copy in page.get("/Annots", []):
                found = copy.get_object()
                # the source's parent-tree entry, meaningless here (see _reference)
                found.pop("/StructParent", None)
                copies[found.get("/Subtype"), tuple(found.get("/Rect", ()))] = copy
            for annotation in source.get("/Annots", []):
                found = annotation.get_object()
                key = (found.get("/Subtype"), tuple(found.get("/Rect", ())))
                if key in copies:
                    yield annotation.idnum, copies[key]

    def element(self, source: DictionaryObject, parent: IndirectObject) -> IndirectObject:
        copy = self.book._element(source["/S"], parent)
        element = copy.get_object()
        self.copies[source.indirect_reference.idnum] = copy
        for key, value in source.items():
            if key in ("/P", "/K", "/Pg", "/S", "/Type"):
                continue
            element[NameObject(key)] = self._value(key, value.get_object())
        if "/Pg" in source:
            element[NameObject("/Pg")] = self.pages[source.raw_get("/Pg").idnum]
        for kid in _kids(source):
            if isinstance(kid, int):  # a marked-content id on the element's page
                element["/K"].append(NumberObject(kid))
                continue
            found = kid.get_object()
            if found.get("/Type") == "/OBJR":
                annotation = self.annotations.get(found.raw_get("/Obj").idnum)
                if annotation is not None:
                    element["/K"].append(self._reference(found, annotation, copy))
            else:
                self.element(found, copy)
        return copy

    def _value(self, key: str, value):
        """Header-cell ids are unique in their own PDF only: made unique in the book."""
        if key == "/ID":
            return TextStringObject(self.prefix + value)
        if key == "/A" and "/Headers" in value:
            value = value.clone(self.book.writer)
            value[NameObject("/Headers")] = ArrayObject(
                TextStringObject(self.prefix + header) for header in value["/Headers"]
            )
            return value
        return value.clone(self.book.writer)

    def _reference(self, source: DictionaryObject, annotation, element) -> IndirectObject:
        """An object reference to the annotation's copy, which in turn names ``element``
        as its parent (its own parent-tree entry)."""
        annotation.get_object()[NameObject("/StructParent")] = self.book._key(element)
        return self.book.writer._add_object(
            DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/OBJR"),
                    NameObject("/Obj"): annotation,
                    NameObject("/Pg"): self.pages[source.raw_get("/Pg").idnum],
                }
            )
        )

    def link_pages(self, parent_tree: dict[int, object]) -> None:
        """Each page's marked-content ids to the copies of their elements."""
        for source, page in self.pairs:
            if "/StructParents" not in source:
                continue
            elements = ArrayObject(
                self.copies.get(element.idnum, NullObject())
                if isinstance(element, IndirectObject)
                else NullObject()
                for element in parent_tree[int(source["/StructParents"])].get_object()
            )
            page[NameObject("/StructParents")] = self.book._key(elements)
