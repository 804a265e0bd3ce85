# hb_man_page(TARGET SECTION [HELP_OPTION opt] [INCLUDE file]): TARGET's man page, made from its
# --help by help2man after TARGET is built (cmake/man_page.cmake), installed in share/man.
find_program(HELP2MAN help2man REQUIRED)
add_custom_target(man_pages ALL)
file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/man)
function(hb_man_page target section)
  cmake_parse_arguments(M "" "HELP_OPTION;INCLUDE" "" ${ARGN})
  set(out ${CMAKE_BINARY_DIR}/man/${target}.${section})
  set(extra)
  set(depends ${target} ${PROJECT_SOURCE_DIR}/cmake/man_page.cmake)
  if(M_HELP_OPTION)
    list(APPEND extra -DHELP_OPTION=${M_HELP_OPTION})
  endif()
  if(M_INCLUDE)
    list(APPEND extra -DINCLUDE=${M_INCLUDE})
    list(APPEND depends ${M_INCLUDE})
  endif()
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DPROGRAM=$<TARGET_FILE:${target}> -DSECTION=${section} -DOUTPUT=${out}
            -DVERSION=${PROJECT_VERSION} ${extra} -P ${PROJECT_SOURCE_DIR}/cmake/man_page.cmake
    DEPENDS ${depends} VERBATIM)
  add_custom_target(man_${target} DEPENDS ${out})
  add_dependencies(man_pages man_${target})
  include(GNUInstallDirs)
  install(FILES ${out} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
endfunction()
