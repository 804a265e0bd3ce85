# bench/agents/hb3.cmake - hbbench's agent for Debian's heartbeat 3.0.6, include()d from
# bench/agents/CMakeLists.txt. Builds `hbagent-hb3`: bench/agents/hb_agent.c (which includes
# <heartbeat/hb_api.h> from our include/, ABI-identical to heartbeat 3.0's) linked to Debian's
# libhbclient (package libheartbeat2: /usr/lib/libhbclient.so.1; heartbeat-dev does not ship a .so link,
# libheartbeat2-dev does) and to libplumb (cluster-glue: libplumb2, for ha_msg_new/ha_msg_add/
# cl_get_string...; libhbclient itself also pulls in glib, libpils, libuuid, libltdl).
#
# Our own build makes a libhbclient.so.1 too (same soname, build/lib), so:
# - only the system's directories are searched (NO_DEFAULT_PATH), and on a dpkg system the file found
#   must belong to the libheartbeat2 package (an `install` of ours into /usr/lib/... is refused);
# - the executable carries DT_RPATH (not RUNPATH: --disable-new-dtags) = that directory. DT_RPATH is
#   searched before LD_LIBRARY_PATH, so even LD_LIBRARY_PATH=build/lib loads Debian's library
#   (`ldd build/bin/hbagent-hb3` shows /usr/lib/libhbclient.so.1).
# Without Debian's library the target is skipped with a status message.
if(TARGET hbagent-hb3)
  return()
endif()

set(_hb3_dirs /usr/lib /usr/lib/x86_64-linux-gnu /usr/lib64)
find_library(HB3_LIBHBCLIENT NAMES libhbclient.so.1 hbclient PATHS ${_hb3_dirs} NO_DEFAULT_PATH)
find_library(HB3_LIBPLUMB NAMES libplumb.so.2 plumb PATHS ${_hb3_dirs} NO_DEFAULT_PATH)

set(_hb3_why "")
if(NOT HB3_LIBHBCLIENT OR NOT HB3_LIBPLUMB)
  string(REPLACE ";" " " _hb3_why "${_hb3_dirs}")
  string(PREPEND _hb3_why "Debian's libhbclient.so.1/libplumb.so.2 not found in ")
  string(APPEND _hb3_why " (apt-get install heartbeat heartbeat-dev cluster-glue-dev)")
else()
  find_program(HB3_DPKG_QUERY dpkg-query)
  if(HB3_DPKG_QUERY)
    file(REAL_PATH "${HB3_LIBHBCLIENT}" _hb3_real)
    execute_process(COMMAND ${HB3_DPKG_QUERY} -S "${_hb3_real}" OUTPUT_VARIABLE _hb3_owner ERROR_QUIET
                    OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(NOT _hb3_owner MATCHES "^libheartbeat2")
      set(_hb3_why "${_hb3_real} is not from Debian's libheartbeat2 package (dpkg-query: '${_hb3_owner}')")
    endif()
  endif()
endif()

if(_hb3_why STREQUAL "")
  get_filename_component(_hb3_libdir "${HB3_LIBHBCLIENT}" DIRECTORY)
  add_executable(hbagent-hb3 ${CMAKE_CURRENT_LIST_DIR}/hb_agent.c)
  target_include_directories(hbagent-hb3 BEFORE PRIVATE ${PROJECT_SOURCE_DIR}/include)
  target_link_libraries(hbagent-hb3 PRIVATE ${HB3_LIBHBCLIENT} ${HB3_LIBPLUMB})
  target_link_options(hbagent-hb3 PRIVATE "LINKER:--disable-new-dtags")
  set_target_properties(hbagent-hb3 PROPERTIES BUILD_RPATH "${_hb3_libdir}" INSTALL_RPATH "${_hb3_libdir}")
  message(STATUS "hbagent-hb3: building against Debian's ${HB3_LIBHBCLIENT} and ${HB3_LIBPLUMB}")
else()
  message(STATUS "hbagent-hb3: skipped: ${_hb3_why}")
endif()
unset(_hb3_dirs)
unset(_hb3_why)
unset(_hb3_real)
unset(_hb3_owner)
unset(_hb3_libdir)
