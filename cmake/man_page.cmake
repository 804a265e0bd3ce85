# Writes one man page from a program's own --help (run as: cmake -DPROGRAM=.. -DSECTION=..
# -DOUTPUT=.. -DVERSION=.. [-DHELP_OPTION=..] [-DINCLUDE=..] -P man_page.cmake).
#
# The help text is the only source of the options' descriptions: help2man turns it into the page.
# The NAME line is the help's first line that is not a usage line, without a leading "prog: ".
# INCLUDE, when given, adds sections the help does not have (FILES, SIGNALS, SEE ALSO).
if(NOT HELP_OPTION)
  set(HELP_OPTION --help)
endif()
execute_process(COMMAND ${PROGRAM} ${HELP_OPTION} OUTPUT_VARIABLE help ERROR_QUIET)
string(REPLACE "\n" ";" lines "${help}")
set(name "")
foreach(line IN LISTS lines)
  string(STRIP "${line}" line)
  if(line STREQUAL "" OR line MATCHES "^[Uu]sage:")
    continue()
  endif()
  get_filename_component(prog ${PROGRAM} NAME)
  string(REGEX REPLACE "^${prog}: " "" name "${line}")
  break()
endforeach()
if(name STREQUAL "")
  message(FATAL_ERROR "${PROGRAM} ${HELP_OPTION} printed no description line")
endif()
set(args --no-info --section=${SECTION} --version-string=${VERSION}
         --help-option=${HELP_OPTION} --name=${name} --output=${OUTPUT})
if(INCLUDE)
  list(APPEND args --include=${INCLUDE})
endif()
execute_process(COMMAND help2man ${args} ${PROGRAM} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "help2man failed for ${PROGRAM}")
endif()
