import Foundation
import CLibXML2

/// A parsed XML document (libxml2), freed when released. Only this module touches libxml2.
final class XMLTree {
    let document: xmlDocPtr

    /// The largest document read (e-Gov 構成情報 files are a few kilobytes).
    static let maximumSize = 64 << 20

    /// Parses `bytes` without network access and without loading or expanding any DTD.
    /// - Throws: ``XMLSignatureError/malformed(_:)`` when it is not well-formed XML or declares a DOCTYPE.
    init(_ bytes: [UInt8]) throws(XMLSignatureError) {
        guard bytes.count <= Self.maximumSize else { throw .malformed("it is larger than \(Self.maximumSize >> 20) MiB") }
        // A DTD can define entities that expand without bound or read local files: such documents are refused.
        if XMLTree.containsDoctype(bytes) { throw .malformed("it declares a DOCTYPE, which signed documents here may not have") }
        xmlInitParser()
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)
        let parsed = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.flatMap { base in
                base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { xmlReadMemory($0, Int32(buffer.count), "document.xml", nil, options) }
            }
        }
        guard let parsed else { throw .malformed(Self.lastError() ?? "it is not well-formed XML") }
        if parsed.pointee.intSubset != nil {
            xmlFreeDoc(parsed)
            throw .malformed("it declares a DOCTYPE, which signed documents here may not have")
        }
        document = parsed
    }

    deinit { xmlFreeDoc(document) }

    private static func containsDoctype(_ bytes: [UInt8]) -> Bool {
        let needle = Array("<!DOCTYPE".utf8)
        guard bytes.count >= needle.count else { return false }
        for index in 0...(bytes.count - needle.count) where bytes[index] == 0x3C && bytes[index..<(index + needle.count)].elementsEqual(needle) {
            return true
        }
        return false
    }

    private static func lastError() -> String? {
        guard let error = xmlGetLastError(), let message = error.pointee.message else { return nil }
        let text = String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines)
        return "line \(error.pointee.line): \(text)"
    }

    var root: xmlNodePtr? { xmlDocGetRootElement(document) }

    /// The document as UTF-8 bytes, with its XML declaration.
    func serialized() throws(XMLSignatureError) -> [UInt8] {
        var buffer: UnsafeMutablePointer<xmlChar>?
        var size: Int32 = 0
        xmlDocDumpMemoryEnc(document, &buffer, &size, "UTF-8")
        guard let buffer, size >= 0 else { throw .malformed("libxml2 could not write the document") }
        defer { mynacard_xml_free(buffer) }
        return Array(UnsafeBufferPointer(start: buffer, count: Int(size)))
    }

    // MARK: Finding

    /// Every element in document order.
    func elements() -> [xmlNodePtr] {
        var result: [xmlNodePtr] = []
        var stack: [xmlNodePtr] = root.map { [$0] } ?? []
        while let node = stack.popLast() {
            result.append(node)
            var children: [xmlNodePtr] = []
            var child = node.pointee.children
            while let current = child {
                if current.pointee.type == XML_ELEMENT_NODE { children.append(current) }
                child = current.pointee.next
            }
            stack += children.reversed()
        }
        return result
    }

    /// The element whose `ID`, `Id` or `id` attribute is `id`. Ambiguity is an error: an ID names one element.
    func element(withID id: String) throws(XMLSignatureError) -> xmlNodePtr {
        let matches = elements().filter { element in ["ID", "Id", "id"].contains { XMLTree.attribute(element, $0) == id } }
        guard let first = matches.first else { throw .elementNotFound(id) }
        guard matches.count == 1 else { throw .malformed("\(matches.count) elements have the ID \(id)") }
        return first
    }

    static func name(_ node: xmlNodePtr) -> String {
        node.pointee.name.map { String(cString: $0) } ?? ""
    }

    static func namespace(_ node: xmlNodePtr) -> String? {
        node.pointee.ns?.pointee.href.map { String(cString: $0) }
    }

    static func attribute(_ node: xmlNodePtr, _ name: String) -> String? {
        guard let value = xmlGetNoNsProp(node, name) else { return nil }
        defer { mynacard_xml_free(value) }
        return String(cString: value)
    }

    static func text(_ node: xmlNodePtr) -> String {
        guard let content = xmlNodeGetContent(node) else { return "" }
        defer { mynacard_xml_free(content) }
        return String(cString: content)
    }

    /// Child elements of `node`, optionally only those named `name` in namespace `namespace`.
    static func children(_ node: xmlNodePtr, named name: String? = nil, namespace: String? = nil) -> [xmlNodePtr] {
        var result: [xmlNodePtr] = []
        var child = node.pointee.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE, name == nil || XMLTree.name(current) == name,
               namespace == nil || XMLTree.namespace(current) == namespace {
                result.append(current)
            }
            child = current.pointee.next
        }
        return result
    }

    static func isAncestorOrSelf(_ ancestor: xmlNodePtr, of node: xmlNodePtr?) -> Bool {
        var current = node
        while let candidate = current {
            if candidate == ancestor { return true }
            current = candidate.pointee.parent
        }
        return false
    }

    // MARK: Canonical XML

    /// Canonical XML 1.0 without comments (http://www.w3.org/TR/2001/REC-xml-c14n-20010315) of the subtree
    /// at `node`, as a document subset: in-scope namespaces and xml: attributes of its ancestors are
    /// included, as the recommendation requires. `excluding` leaves out one subtree (the enveloped-signature
    /// transform). libxml2 does the canonicalization.
    func canonical(_ node: xmlNodePtr, excluding excluded: xmlNodePtr? = nil) throws(XMLSignatureError) -> [UInt8] {
        var scope = C14NScope(root: node, excluded: excluded)
        guard let output = xmlAllocOutputBuffer(nil) else { throw .malformed("libxml2 could not allocate a buffer") }
        defer { xmlOutputBufferClose(output) }
        let written = withUnsafeMutablePointer(to: &scope) { scopePointer in
            xmlC14NExecute(document, { userData, node, parent in
                guard let userData, let node else { return 0 }
                let scope = userData.assumingMemoryBound(to: C14NScope.self).pointee
                // Namespace and attribute nodes count as part of the element that carries them.
                let type = node.pointee.type
                let element = (type == XML_NAMESPACE_DECL || type == XML_ATTRIBUTE_NODE) ? parent : node
                guard XMLTree.isAncestorOrSelf(scope.root, of: element) else { return 0 }
                if let excluded = scope.excluded, XMLTree.isAncestorOrSelf(excluded, of: element) { return 0 }
                return 1
            }, scopePointer, Int32(XML_C14N_1_0.rawValue), nil, 0, output)
        }
        guard written >= 0, let content = xmlOutputBufferGetContent(output) else { throw .malformed("libxml2 could not canonicalize the document") }
        return Array(UnsafeBufferPointer(start: content, count: Int(xmlOutputBufferGetSize(output))))
    }

    private struct C14NScope {
        var root: xmlNodePtr
        var excluded: xmlNodePtr?
    }
}
