#ifndef BAA_CPOPPLER_SHIM_H
#define BAA_CPOPPLER_SHIM_H
#include <poppler.h>
#include <cairo.h>
#endif
