#pragma once
// The user's workspace: the endpoints they configured (with the ids the engine knows them by),
// the profile file it came from, and whether it changed since the last save. UI-free.
#include <optional>
#include <string>
#include <vector>

#include "core/endpoint_config.hpp"
#include "core/types.hpp"

namespace sockscope::ui {

struct WorkspaceEndpoint {
    EndpointId id = 0;
    EndpointConfig config;
};

class Workspace {
public:
    const std::vector<WorkspaceEndpoint>& endpoints() const { return m_endpoints; }
    const WorkspaceEndpoint* find(EndpointId id) const;

    EndpointId add(EndpointConfig config);                 ///< new id; marks dirty
    bool update(EndpointId id, EndpointConfig config);     ///< marks dirty
    bool remove(EndpointId id);                            ///< marks dirty
    /// Copy with a fresh unique name ("name copy", "name copy 2"), not auto-started; returns the
    /// new id (0 if missing).
    EndpointId duplicate(EndpointId id);
    /// Whether an endpoint other than `except` already has this name (names are unique: the
    /// profile format requires it).
    bool nameTaken(const std::string& name, EndpointId except = 0) const;
    /// `base` when free, else the first free "base 2", "base 3", ...
    std::string uniqueName(const std::string& base, EndpointId except = 0) const;
    /// Something saved with the workspace besides its endpoints changed (its recorders).
    void markChanged() { changed(); }
    /// Replaces everything (a profile was opened); not dirty afterwards.
    void replace(std::string name, std::vector<EndpointConfig> configs,
                 std::optional<std::string> path);

    std::string name = "workspace";
    std::optional<std::string> path;   ///< the profile file, when it has one
    bool dirty = false;                ///< changed since opened/saved
    bool discarded = false;            ///< Quit ▸ Discard: the autosave goes back to what was saved
    std::uint64_t revision = 0;        ///< bumps on every change (drives autosave)

    /// A default config for a new endpoint of `type` (a free-looking port, sensible options).
    static EndpointConfig defaultConfig(EndpointType type, std::size_t existing);
    /// defaultConfig() with a name no endpoint of this workspace has yet.
    EndpointConfig newConfig(EndpointType type) const;

private:
    void changed();

    std::vector<WorkspaceEndpoint> m_endpoints;
    EndpointId m_nextId = 1;
};

}  // namespace sockscope::ui
