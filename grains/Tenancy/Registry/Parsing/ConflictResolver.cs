namespace OrleansTenancy.Tenancy.Registry.Parsing;

/// <summary>
/// Settles guilds and API keys claimed by more than one tenant. The rule is the same at start and on reload: a contested
/// claim stays with the tenant that held it (the owners given to <see cref="Resolve"/>: the previous snapshot
/// on a reload, the remembered claims on a start), and goes to neither claimant when none held it. So a newcomer never
/// takes a guild or key from a running tenant, neither now nor after a restart. A tenant that loses a claim falls back to
/// its previous version when that one claims nothing another accepted tenant holds; otherwise it is not loaded.
/// </summary>
internal static class ConflictResolver
{
    public static List<TenantDefinition> Resolve(List<TenantDefinition> candidates, TenantRegistry? previous, TenantClaims owners, List<TenantProblem> problems)
    {
        var guildClaimants = new Dictionary<ulong, List<(TenantDefinition Tenant, string Workspace)>>();
        var keyClaimants = new Dictionary<string, List<(TenantDefinition Tenant, string KeyId)>>(StringComparer.OrdinalIgnoreCase);
        foreach (var candidate in candidates)
        {
            foreach (var workspace in candidate.Workspaces.Values)
            {
                foreach (var guild in workspace.GuildIds)
                {
                    Claimants(guildClaimants, guild).Add((candidate, workspace.Key));
                }
            }

            foreach (var key in candidate.ApiKeys)
            {
                Claimants(keyClaimants, key.Sha256).Add((candidate, key.Id));
            }
        }

        var losses = new Dictionary<TenantDefinition, List<(int Line, string Message)>>(ReferenceEqualityComparer.Instance);
        foreach (var (guild, claimants) in guildClaimants.Where(c => c.Value.Count > 1))
        {
            var holder = owners.Guilds.GetValueOrDefault(guild);
            foreach (var (tenant, workspace) in claimants.Where(c => c.Tenant.Slug != holder))
            {
                var others = string.Join(", ", claimants.Where(c => !ReferenceEquals(c.Tenant, tenant)).Select(c => $"{c.Tenant.Slug}:{c.Workspace}"));
                Lose(losses, tenant, tenant.Lines?.Guilds.GetValueOrDefault(guild) ?? 0, claimants.Any(c => c.Tenant.Slug == holder)
                    ? $"Guild {guild} of workspace '{workspace}' is already claimed by {others}; a guild maps to exactly one workspace, and it stays with the tenant that held it."
                    : $"Guild {guild} of workspace '{workspace}' is also claimed by {others}, and neither held it before; a guild maps to exactly one workspace, so neither gets it until one of them drops it.");
            }
        }

        foreach (var (hash, claimants) in keyClaimants.Where(c => c.Value.Count > 1))
        {
            var holder = owners.ApiKeys.GetValueOrDefault(hash);
            foreach (var (tenant, keyId) in claimants.Where(c => c.Tenant.Slug != holder))
            {
                var others = string.Join(", ", claimants.Where(c => !ReferenceEquals(c.Tenant, tenant)).Select(c => $"{c.Tenant.Slug} (key '{c.KeyId}')"));
                Lose(losses, tenant, tenant.Lines?.ApiKeys.GetValueOrDefault(hash) ?? 0, claimants.Any(c => c.Tenant.Slug == holder)
                    ? $"API key '{keyId}' has the same sha256 as a key of tenant {others}, which holds it; give each key its own secret."
                    : $"API key '{keyId}' has the same sha256 as a key of tenant {others}, and neither held it before, so neither gets it; give each key its own secret.");
            }
        }

        var accepted = candidates.Where(c => !losses.ContainsKey(c)).ToList();
        var held = TenantClaims.Of(accepted);
        foreach (var (candidate, conflicts) in losses.OrderBy(l => l.Key.Slug, StringComparer.Ordinal))
        {
            var file = Path.Combine(candidate.SourceFolder, "tenant.yaml");
            foreach (var (line, message) in conflicts)
            {
                problems.Add(new TenantProblem(file, line, 0, ProblemSeverity.Error, message, candidate.Slug));
            }

            var lastGood = previous?.Find(candidate.Slug) is { } version && !ReferenceEquals(version, candidate) && !ClaimsAnyOf(version, held) ? version : null;
            problems.Add(new TenantProblem(file, 0, 0, ProblemSeverity.Warning, lastGood is null
                ? $"Tenant '{candidate.Slug}' is not loaded until the conflicts above are resolved."
                : $"Tenant '{candidate.Slug}' keeps its last good configuration until the conflicts above are resolved.", candidate.Slug));
            if (lastGood is not null)
            {
                accepted.Add(lastGood);
            }
        }

        return accepted;
    }

    private static List<T> Claimants<TKey, T>(Dictionary<TKey, List<T>> claimants, TKey claim)
        where TKey : notnull
    {
        if (!claimants.TryGetValue(claim, out var list))
        {
            claimants[claim] = list = [];
        }

        return list;
    }

    private static void Lose(Dictionary<TenantDefinition, List<(int, string)>> losses, TenantDefinition tenant, int line, string message)
    {
        if (!losses.TryGetValue(tenant, out var list))
        {
            losses[tenant] = list = [];
        }

        list.Add((line, message));
    }

    private static bool ClaimsAnyOf(TenantDefinition tenant, TenantClaims held) =>
        tenant.Workspaces.Values.SelectMany(w => w.GuildIds).Any(held.Guilds.ContainsKey) || tenant.ApiKeys.Any(k => held.ApiKeys.ContainsKey(k.Sha256));
}
