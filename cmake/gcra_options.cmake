# Compiler settings shared by every gcra target.

# gcra_target_defaults(<target>): warnings as errors, sanitizers if asked.
function(gcra_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Werror)
  # GCC 12 at -O3 reports std::string::append chains as overlapping copies
  # (-Wrestrict, GCC bug 105329), a false positive fixed in GCC 13.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
endfunction()

if(GCRA_SANITIZE)
  add_compile_options(-fsanitize=${GCRA_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${GCRA_SANITIZE})
endif()
