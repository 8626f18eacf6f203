#ifndef BAA_CPOPPLER_SHIM_H
#define BAA_CPOPPLER_SHIM_H
// The C types and constants PDFExtractor uses, copied from the poppler-glib 22.12, glib 2.74 and cairo 1.16
// headers (stable ABI). Everything else is an opaque pointer; the functions are looked up with dlsym
// (PopplerAPI.swift). Not including <poppler.h> keeps the build free of pkg-config include paths.
#include <stdint.h>
#include <dlfcn.h>

/// poppler-page.h: struct _PopplerRectangle, one per character of poppler_page_get_text.
typedef struct {
    double x1;
    double y1;
    double x2;
    double y2;
} PopplerRectangle;

/// glib/gerror.h: struct _GError (GQuark is a guint32, gint an int).
typedef struct {
    uint32_t domain;
    int code;
    char *message;
} GError;

/// poppler.h: PopplerError (POPPLER_ERROR_INVALID = 0, POPPLER_ERROR_ENCRYPTED, ...).
#define BAA_POPPLER_ERROR_ENCRYPTED 1
/// cairo.h: cairo_format_t CAIRO_FORMAT_RGB24, cairo_status_t CAIRO_STATUS_SUCCESS.
#define BAA_CAIRO_FORMAT_RGB24 1
#define BAA_CAIRO_STATUS_SUCCESS 0

#endif
