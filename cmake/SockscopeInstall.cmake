# Install rules (Linux/BSD desktop layout; a Windows install is the zip `scripts/dev.sh windows` makes).
#   bin/sockscope
#   share/applications/sockscope.desktop
#   share/icons/hicolor/{scalable,256x256,<size>x<size>}/apps/sockscope.{svg,png}
#   share/sockscope/profiles/*.json     (the app finds them as <exe>/../share/sockscope: util/data_dir)
#   share/doc/sockscope/                (README, docs/*.md, screenshots)
include(GNUInstallDirs)

set(SOCKSCOPE_DATA_SUBDIR "${CMAKE_INSTALL_DATADIR}/sockscope")
set(SOCKSCOPE_ASSETS "${PROJECT_SOURCE_DIR}/assets")

# The build tree mirrors the installed data layout, so <build>/src/sockscope finds its examples in
# <build>/share/sockscope exactly as <prefix>/bin/sockscope does in <prefix>/share/sockscope.
add_custom_target(sockscope_data ALL
  COMMAND ${CMAKE_COMMAND} -E copy_directory ${SOCKSCOPE_ASSETS}/profiles
    $<TARGET_FILE_DIR:sockscope>/../share/sockscope/profiles
  COMMENT "Copying the example profiles into the build tree" VERBATIM)
add_dependencies(sockscope sockscope_data)

# Everything the install rules need built (scripts/dev.sh package builds only this).
add_custom_target(sockscope_installable)
add_dependencies(sockscope_installable sockscope)

install(TARGETS sockscope RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${SOCKSCOPE_ASSETS}/profiles/ DESTINATION ${SOCKSCOPE_DATA_SUBDIR}/profiles
  FILES_MATCHING PATTERN "*.json")
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}
  FILES_MATCHING PATTERN "*.md" PATTERN "*.png"
  PATTERN "scales" EXCLUDE)

if(SOCKSCOPE_BUILD_GUI AND NOT WIN32 AND NOT APPLE)
  install(FILES ${SOCKSCOPE_ASSETS}/sockscope.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
  set(icon_root ${CMAKE_INSTALL_DATADIR}/icons/hicolor)
  install(FILES ${SOCKSCOPE_ASSETS}/sockscope.svg DESTINATION ${icon_root}/scalable/apps)
  install(FILES ${SOCKSCOPE_ASSETS}/sockscope.png DESTINATION ${icon_root}/256x256/apps)
  # The smaller hicolor sizes are made at build time from the SVG (rsvg-convert) or the 256 px
  # PNG (ImageMagick); without either tool the scalable and 256 px icons serve every size.
  find_program(SOCKSCOPE_RSVG rsvg-convert)
  find_program(SOCKSCOPE_CONVERT NAMES convert-im6.q16 convert)
  set(icon_pngs)
  foreach(size 16 24 32 48 64 128)
    set(png ${CMAKE_CURRENT_BINARY_DIR}/icons/${size}x${size}/sockscope.png)
    if(SOCKSCOPE_RSVG)
      set(make_icon ${SOCKSCOPE_RSVG} -w ${size} -h ${size} -o ${png} ${SOCKSCOPE_ASSETS}/sockscope.svg)
      set(icon_source ${SOCKSCOPE_ASSETS}/sockscope.svg)
    elseif(SOCKSCOPE_CONVERT)
      set(make_icon ${SOCKSCOPE_CONVERT} ${SOCKSCOPE_ASSETS}/sockscope.png -resize ${size}x${size} PNG32:${png})
      set(icon_source ${SOCKSCOPE_ASSETS}/sockscope.png)
    else()
      break()
    endif()
    add_custom_command(OUTPUT ${png}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/icons/${size}x${size}
      COMMAND ${make_icon}
      DEPENDS ${icon_source} VERBATIM)
    list(APPEND icon_pngs ${png})
    install(FILES ${png} DESTINATION ${icon_root}/${size}x${size}/apps)
  endforeach()
  if(icon_pngs)
    add_custom_target(sockscope_icons ALL DEPENDS ${icon_pngs})
    add_dependencies(sockscope_installable sockscope_icons)
  else()
    message(STATUS "Sockscope: no rsvg-convert or ImageMagick; installing the scalable and 256 px icons only")
  endif()
endif()
