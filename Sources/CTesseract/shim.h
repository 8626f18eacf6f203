#ifndef BAA_CTESSERACT_SHIM_H
#define BAA_CTESSERACT_SHIM_H
#include <tesseract/capi.h>
#include <dlfcn.h>
#endif
