# Compiler settings shared by every gcra target.

# gcra_target_defaults(<target>): warnings as errors, sanitizers if asked.
function(gcra_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Werror)
endfunction()

if(GCRA_SANITIZE)
  add_compile_options(-fsanitize=${GCRA_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${GCRA_SANITIZE})
endif()
