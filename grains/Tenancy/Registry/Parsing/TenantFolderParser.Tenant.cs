using OrleansTenancy.Tenancy.Registry.Yaml;

namespace OrleansTenancy.Tenancy.Registry.Parsing;

/// <summary>The <c>tenant.yaml</c> part: identity, time zone, workspaces with guilds and overrides, API keys.</summary>
internal static partial class TenantFolderParser
{
    private static readonly string[] StatusValues = ["active", "suspended"];

    private static TenantDefinition ParseTenant(MappingReader map, string folder, string slug, Inherited inherited, TenantLoadLimits limits)
    {
        var sink = map.Sink;
        if (map.Text("slug") is { } declared && declared != slug)
        {
            sink.Error(map.Node("slug")!, $"'slug' is '{declared}' but the folder is named '{slug}'; the folder name is the slug, so make them equal or drop 'slug'.");
        }

        var name = map.Text("name");
        _ = map.Text("description");
        var status = TenantStatus.Active;
        if (map.Text("status") is { } statusText)
        {
            if (statusText == "suspended")
            {
                status = TenantStatus.Suspended;
            }
            else if (statusText != "active")
            {
                sink.Error(map.Node("status")!, $"'status' must be one of {string.Join(", ", StatusValues)}, but it is '{statusText}'{Suggest.DidYouMean(statusText, StatusValues)}.");
            }
        }

        var timeZone = TimeZoneInfo.Utc;
        if (map.Text("timezone") is { } zoneId)
        {
            timeZone = FindTimeZone(zoneId, map.Node("timezone")!, sink) ?? TimeZoneInfo.Utc;
        }

        var lines = new SourceLines();
        var workspaces = ParseWorkspaces(map, inherited, lines, limits);
        var apiKeys = ParseApiKeys(map, workspaces, lines);
        var webhooks = map.Node("alerts") is { } alerts ? SectionParser.AlertWebhooks(alerts, "tenant.yaml", sink) : [];
        return new TenantDefinition
        {
            AlertWebhooks = webhooks,
            Slug = slug,
            DisplayName = string.IsNullOrWhiteSpace(name) ? slug : name,
            Status = status,
            TimeZone = timeZone,
            Workspaces = workspaces,
            ApiKeys = apiKeys,
            Lines = lines,
            SourceFolder = folder,
        };
    }

    private static TimeZoneInfo? FindTimeZone(string id, YamlNode node, ProblemSink sink)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            var hint = Suggest.DidYouMean(id, TimeZoneInfo.GetSystemTimeZones().Select(z => z.Id));
            sink.Error(node, $"'timezone' is '{id}', which is not a known IANA time zone{hint}; use an id such as 'Europe/Berlin' or 'UTC'.");
            return null;
        }
    }

    private static Dictionary<string, WorkspaceDefinition> ParseWorkspaces(MappingReader map, Inherited inherited, SourceLines sourceLines, TenantLoadLimits limits)
    {
        var sink = map.Sink;
        var workspaces = new Dictionary<string, WorkspaceDefinition>(StringComparer.Ordinal);
        var node = map.Node("workspaces");
        if (node is null)
        {
            sink.Error(map.KeyNode("workspaces") ?? (YamlNode)map.Mapping, "tenant.yaml must define 'workspaces' with at least one workspace (for example 'main:').");
            return workspaces;
        }

        if (node is not YamlMapping mapping)
        {
            sink.Error(node, $"'workspaces' must map workspace keys to their settings, but it is {node.KindName}.");
            return workspaces;
        }

        if (mapping.Entries.Count > limits.MaxWorkspacesPerTenant)
        {
            sink.Error(node, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"'workspaces' defines {mapping.Entries.Count:N0} workspaces, above the limit of {limits.MaxWorkspacesPerTenant:N0} per tenant (Tenancy:MaxWorkspacesPerTenant)."));
            return workspaces;
        }

        var guildOwners = new Dictionary<ulong, string>();
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in mapping.Entries)
        {
            var key = keyNode.Value;
            if (lines.TryGetValue(key, out var firstLine))
            {
                sink.Error(keyNode, $"Duplicate workspace '{key}' (first defined on line {firstLine}); keep one.");
                continue;
            }

            lines[key] = keyNode.Line;
            if (!Identifiers.IsSlug(key))
            {
                sink.Error(keyNode, $"Workspace key '{key}' is not valid: use {Identifiers.SlugRule}.");
                continue;
            }

            var workspace = ParseWorkspace(key, value, sink, inherited, guildOwners, sourceLines);
            if (workspace is not null)
            {
                workspaces[key] = workspace;
            }
        }

        if (mapping.Entries.Count == 0)
        {
            sink.Error(node, "'workspaces' is empty; define at least one workspace (for example 'main:').");
        }

        return workspaces;
    }

    private static WorkspaceDefinition? ParseWorkspace(
        string key, YamlNode value, ProblemSink sink, Inherited inherited, Dictionary<ulong, string> guildOwners, SourceLines sourceLines)
    {
        var section = $"workspace '{key}'";
        if (value is YamlScalar { IsNull: true })
        {
            return new WorkspaceDefinition(key, key, [], RoutingSettings.Empty, new BudgetLimits(), PolicySettings.Empty);
        }

        var map = MappingReader.Open(value, section, sink, SchemaKeys.Workspace);
        if (map is null)
        {
            return null;
        }

        var guilds = new List<ulong>();
        if (map.Node("discord_guild_id") is { } guildNode)
        {
            var items = guildNode is YamlSequence sequence ? sequence.Items : [guildNode];
            foreach (var item in items)
            {
                if (Identifiers.Snowflake(item, $"'discord_guild_id' in {section}", sink) is not { } guild)
                {
                    continue;
                }

                if (guildOwners.TryGetValue(guild, out var owner))
                {
                    sink.Error(item, owner == key
                        ? $"Guild {guild} is listed twice in {section}; keep one."
                        : $"Guild {guild} is claimed by workspace '{owner}' and by {section}; a guild maps to exactly one workspace.");
                    continue;
                }

                guildOwners[guild] = key;
                sourceLines.Guilds[guild] = item.Line;
                guilds.Add(guild);
            }
        }

        var routing = RoutingSettings.Empty;
        if (map.Node("routing") is { } routingNode && MappingReader.Open(routingNode, $"the routing of {section}", sink, SchemaKeys.Routing) is { } routingMap)
        {
            routing = SectionParser.Routing(routingMap, inherited.AllowedModels);
            CheckInheritedModels(routing, inherited.Models, routingMap, section, "the tenant's models");
        }

        var budgets = new BudgetLimits();
        if (map.Node("budgets") is { } budgetNode && MappingReader.Open(budgetNode, $"the budgets of {section}", sink, SchemaKeys.Budget) is { } budgetMap)
        {
            budgets = SectionParser.Budgets(budgetMap);
            SectionParser.CheckMergedOrder(budgets, inherited.TenantBudgets, inherited.GlobalBudgets, budgetNode, section, sink);
        }

        var policy = PolicySettings.Empty;
        if (map.Node("policy") is { } policyNode && MappingReader.Open(policyNode, $"the policy of {section}", sink, SchemaKeys.Policy) is { } policyMap)
        {
            policy = SectionParser.Policy(policyMap);
        }

        var name = map.Text("name");
        _ = map.Text("description");
        return new WorkspaceDefinition(key, string.IsNullOrWhiteSpace(name) ? key : name, guilds, routing, budgets, policy);
    }

    /// <summary>What a workspace inherits from its tenant (already merged with the global level where that applies).</summary>
    private sealed record Inherited(
        IReadOnlyList<string>? AllowedModels, IReadOnlyDictionary<string, string>? Models, BudgetLimits TenantBudgets, BudgetLimits GlobalBudgets);

    /// <summary>A level that narrows <c>allowed_models</c> must not inherit a task override it now forbids.</summary>
    private static void CheckInheritedModels(
        RoutingSettings routing, IReadOnlyDictionary<string, string>? inheritedModels, MappingReader routingMap, string section, string inheritedFrom)
    {
        if (routing.AllowedModels is not { Count: > 0 } allowed || inheritedModels is null)
        {
            return;
        }

        foreach (var (task, model) in inheritedModels)
        {
            if (routing.Models?.ContainsKey(task) != true && !allowed.Contains(model))
            {
                routingMap.Sink.Error(routingMap.Node("allowed_models")!,
                    $"The allowed_models of {section} exclude '{model}', which task '{task}' inherits from {inheritedFrom}; allow it or override task '{task}' in {section}.");
            }
        }
    }

    private static List<ApiKeyDefinition> ParseApiKeys(MappingReader map, Dictionary<string, WorkspaceDefinition> workspaces, SourceLines sourceLines)
    {
        var sink = map.Sink;
        var keys = new List<ApiKeyDefinition>();
        var node = map.Node("api_keys");
        if (node is null)
        {
            return keys;
        }

        if (node is not YamlSequence sequence)
        {
            sink.Error(node, $"'api_keys' must be a list of {{id, workspace, sha256}} entries, but it is {node.KindName}.");
            return keys;
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        var hashes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in sequence.Items)
        {
            var entry = MappingReader.Open(item, "an 'api_keys' entry", sink, SchemaKeys.ApiKey);
            if (entry is null)
            {
                continue;
            }

            var id = entry.Text("id");
            var workspace = entry.Text("workspace");
            var hash = entry.Text("sha256");
            var complete = true;
            foreach (var (field, text) in (ReadOnlySpan<(string, string?)>)[("id", id), ("workspace", workspace), ("sha256", hash)])
            {
                if (string.IsNullOrEmpty(text))
                {
                    sink.Error(item, $"An 'api_keys' entry has no '{field}'; each entry needs id, workspace and sha256.");
                    complete = false;
                }
            }

            if (!complete)
            {
                continue;
            }

            if (!ids.Add(id!))
            {
                sink.Error(entry.Node("id")!, $"API key id '{id}' is used twice; ids must be unique within the tenant.");
            }

            if (!workspaces.ContainsKey(workspace!))
            {
                sink.Error(entry.Node("workspace")!, $"API key '{id}' names workspace '{workspace}', which this tenant does not define{Suggest.DidYouMean(workspace!, workspaces.Keys)}.");
            }

            if (!Identifiers.IsSha256Hex(hash!))
            {
                sink.Error(entry.Node("sha256")!, $"The sha256 of API key '{id}' must be 64 hex digits (the SHA-256 of the secret, never the secret itself).");
            }
            else if (!hashes.Add(hash!.ToLowerInvariant()))
            {
                sink.Error(entry.Node("sha256")!, $"API key '{id}' has the same sha256 as another key of this tenant; each key needs its own secret.");
            }
            else
            {
                keys.Add(new ApiKeyDefinition(id!, workspace!, hash.ToLowerInvariant()));
                sourceLines.ApiKeys[hash.ToLowerInvariant()] = entry.Node("sha256")!.Line;
            }
        }

        return keys;
    }
}
