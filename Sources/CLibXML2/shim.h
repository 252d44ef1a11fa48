#include <libxml/xmlversion.h>
// Debian builds libxml2 with ICU, whose headers clash with the ICU inside Swift's Foundation. Nothing here
// touches libxml2's encoding handlers (only pointers to them), so leave ICU's declarations out.
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/c14n.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlIO.h>

/// libxml2's xmlFree is a global function pointer, which Swift 6 cannot read safely; this calls it.
static inline void mynacard_xml_free(void *pointer) { xmlFree(pointer); }
