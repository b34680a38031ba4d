// The library's version, as the CMake package reports it.
#pragma once

#define GCRA_VERSION_MAJOR 0
#define GCRA_VERSION_MINOR 1
#define GCRA_VERSION_PATCH 0
#define GCRA_VERSION "0.1.0"
