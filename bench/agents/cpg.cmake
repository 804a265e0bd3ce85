# bench/agents/cpg.cmake - the Corosync agent of hbbench, include()d from bench/agents/CMakeLists.txt.
# Builds `cpgagent` (cpg_agent.c, C) against libcpg (Debian: libcpg-dev) when pkg-config finds it; the
# executable goes to the project's CMAKE_RUNTIME_OUTPUT_DIRECTORY (build/bin) like every other one.
# Without libcpg the target is skipped with a status message (the rest of the build is unaffected).
if(TARGET cpgagent)
  return()
endif()
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(CPG QUIET IMPORTED_TARGET libcpg)
endif()
if(CPG_FOUND)
  add_executable(cpgagent ${CMAKE_CURRENT_LIST_DIR}/cpg_agent.c)
  target_link_libraries(cpgagent PRIVATE PkgConfig::CPG)
  message(STATUS "cpgagent: building against libcpg ${CPG_VERSION}")
else()
  message(STATUS "cpgagent: skipped (pkg-config does not find libcpg; apt-get install libcpg-dev, "
                 "or scripts/install-bench-deps.sh)")
endif()
