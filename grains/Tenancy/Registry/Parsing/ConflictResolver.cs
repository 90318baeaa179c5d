namespace OrleansTenancy.Tenancy.Registry.Parsing;

/// <summary>
/// Settles guilds and API keys claimed by more than one tenant. Tenants already in the previous snapshot
/// claim first, so a new or edited tenant cannot steal a guild from a running one; a tenant that loses a
/// claim falls back to its previous version when that one does not conflict, otherwise it is skipped.
/// </summary>
internal static class ConflictResolver
{
    public static List<TenantDefinition> Resolve(List<TenantDefinition> candidates, TenantRegistry? previous, List<TenantProblem> problems)
    {
        var guildOwners = new Dictionary<ulong, string>();
        var keyOwners = new Dictionary<string, string>(StringComparer.Ordinal);
        var accepted = new List<TenantDefinition>();
        var ordered = candidates
            .OrderBy(t => previous?.Find(t.Slug) is null ? 1 : 0)
            .ThenBy(t => t.Slug, StringComparer.Ordinal);
        foreach (var candidate in ordered)
        {
            var conflicts = Conflicts(candidate, guildOwners, keyOwners);
            var chosen = candidate;
            if (conflicts.Count > 0)
            {
                var file = Path.Combine(candidate.SourceFolder, "tenant.yaml");
                foreach (var (line, message) in conflicts)
                {
                    problems.Add(new TenantProblem(file, line, 0, ProblemSeverity.Error, message, candidate.Slug));
                }

                chosen = previous?.Find(candidate.Slug) is { } lastGood && !ReferenceEquals(lastGood, candidate) && Conflicts(lastGood, guildOwners, keyOwners).Count == 0
                    ? lastGood
                    : null;
                problems.Add(new TenantProblem(file, 0, 0, ProblemSeverity.Warning, chosen is null
                    ? $"Tenant '{candidate.Slug}' is not loaded until the conflicts above are resolved."
                    : $"Tenant '{candidate.Slug}' keeps its last good configuration until the conflicts above are resolved.", candidate.Slug));
            }

            if (chosen is null)
            {
                continue;
            }

            foreach (var workspace in chosen.Workspaces.Values)
            {
                foreach (var guild in workspace.GuildIds)
                {
                    guildOwners[guild] = $"{chosen.Slug}:{workspace.Key}";
                }
            }

            foreach (var key in chosen.ApiKeys)
            {
                keyOwners[key.Sha256] = $"{chosen.Slug} (key '{key.Id}')";
            }

            accepted.Add(chosen);
        }

        return accepted;
    }

    private static List<(int Line, string Message)> Conflicts(TenantDefinition tenant, Dictionary<ulong, string> guildOwners, Dictionary<string, string> keyOwners)
    {
        var conflicts = new List<(int, string)>();
        foreach (var workspace in tenant.Workspaces.Values)
        {
            foreach (var guild in workspace.GuildIds)
            {
                if (guildOwners.TryGetValue(guild, out var owner))
                {
                    conflicts.Add((tenant.Lines?.Guilds.GetValueOrDefault(guild) ?? 0, $"Guild {guild} of workspace '{workspace.Key}' is already claimed by {owner}; a guild maps to exactly one workspace."));
                }
            }
        }

        foreach (var key in tenant.ApiKeys)
        {
            if (keyOwners.TryGetValue(key.Sha256, out var owner))
            {
                conflicts.Add((tenant.Lines?.ApiKeys.GetValueOrDefault(key.Sha256) ?? 0, $"API key '{key.Id}' has the same sha256 as a key of tenant {owner}; give each key its own secret."));
            }
        }

        return conflicts;
    }
}
