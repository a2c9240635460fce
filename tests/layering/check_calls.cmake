# Fails when a file under DIR other than ONLY calls one of CALLS: a call is the name followed by
# "(" and a lower-case argument (tx.conn(), conn); a declaration or definition
# ("BumpOwnerRevision(Connection& conn") is not one.
#   cmake -DDIR=<folder> -DONLY=<file under DIR> -DCALLS="A;B" -P check_calls.cmake
# Exit status 0 and nothing printed when clean; else every offending line, and a failure.
if(NOT DIR OR NOT ONLY OR NOT CALLS)
  message(FATAL_ERROR "usage: cmake -DDIR=<folder> -DONLY=<file> -DCALLS=<name;...> -P "
                      "check_calls.cmake")
endif()
if(NOT EXISTS "${DIR}/${ONLY}")
  message(FATAL_ERROR "${DIR}/${ONLY} does not exist")
endif()
file(GLOB_RECURSE files "${DIR}/*.h" "${DIR}/*.cpp")
set(found "")
set(allowed_calls 0)
foreach(f IN LISTS files)
  foreach(name IN LISTS CALLS)
    file(STRINGS "${f}" lines REGEX "${name}\\([a-z_]")
    foreach(line IN LISTS lines)
      if(f STREQUAL "${DIR}/${ONLY}")
        math(EXPR allowed_calls "${allowed_calls} + 1")
      else()
        string(APPEND found "\n  ${f}: ${line}")
      endif()
    endforeach()
  endforeach()
endforeach()
if(allowed_calls EQUAL 0)
  message(FATAL_ERROR "no call of ${CALLS} in ${DIR}/${ONLY}: the check would pass without looking")
endif()
if(found)
  message(FATAL_ERROR "${CALLS} called outside ${ONLY}:${found}")
endif()
