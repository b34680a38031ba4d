# Installs the library and a CMake package so that downstream projects can
# `find_package(gcra)` and link `gcra::gcra`.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(DIRECTORY include/gcra DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS gcra EXPORT gcraTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# The optional parts, when built: gcra::redis installs itself (src/redis);
# the HTTP libraries are installed here, with what they need found again
# by gcraConfig.cmake.
set(GCRA_PACKAGE_NEEDS_JSON OFF)
set(GCRA_PACKAGE_NEEDS_HTTPLIB OFF)
if(TARGET gcra_http)
  install(TARGETS gcra_http EXPORT gcraTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
  set(GCRA_PACKAGE_NEEDS_JSON ON)
endif()
if(TARGET gcra_httplib)
  install(TARGETS gcra_httplib EXPORT gcraTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
  set(GCRA_PACKAGE_NEEDS_HTTPLIB ON)
endif()
install(EXPORT gcraTargets NAMESPACE gcra:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/gcra)

configure_package_config_file(cmake/gcraConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/gcraConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/gcra)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/gcraConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/gcraConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/gcraConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/gcra)
