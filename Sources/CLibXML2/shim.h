#ifndef BAA_CLIBXML2_SHIM_H
#define BAA_CLIBXML2_SHIM_H
#include <libxml/xmlversion.h>
/* Debian's headers pull in ICU, whose UErrorCode clashes with Foundation's. */
#undef LIBXML_ICU_ENABLED
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/xmlmemory.h>

/// xmlFree is a global function pointer that Swift 6 rejects as shared mutable state.
static inline void baa_xml_free(void *p) { xmlFree(p); }
#endif
