using OrleansTenancy.Tenancy.Budget;
using OrleansTenancy.Tenancy.Registry.Parsing;

namespace OrleansTenancy.Tenancy.Registry;

/// <summary>Where a tenant of the registry comes from.</summary>
public enum TenantOrigin
{
    /// <summary>A folder of the tenants folder, or the built-in <c>default</c> tenant.</summary>
    Yaml = 0,

    /// <summary>The tenant directory (registered at run time).</summary>
    Runtime = 1,
}

/// <summary>A tenant registered at run time, as the registry merges it.</summary>
/// <param name="Id">The tenant slug.</param>
/// <param name="Name">Human name; the id when <see langword="null"/>.</param>
/// <param name="Workspaces">Workspace keys; empty means <see cref="RuntimeTenants.DefaultWorkspace"/> alone.</param>
/// <param name="Budget">The tenant's own limits, or <see langword="null"/> for none.</param>
public sealed record RuntimeTenant(string Id, string? Name, IReadOnlyList<string> Workspaces, BudgetLimits? Budget);

/// <summary>
/// The rules of runtime tenants: what a valid one is (the rules of the tenants folder and the budget API), the
/// definition the registry holds for it, and how runtime tenants join the tenants of the folder.
/// </summary>
/// <remarks>
/// One id, one tenant: the directory refuses to register an id the folder holds. A folder that appears later under a
/// runtime tenant's id is an error of that folder in <see cref="TenantRegistry.Problems"/>, and the runtime tenant
/// stays in use, as a contested guild stays with the tenant that held it: whoever holds an id keeps it, so a file
/// copied into the folder never silently changes the limits or the workspaces of a tenant that services use.
/// </remarks>
public static class RuntimeTenants
{
    /// <summary>The workspace of a runtime tenant that names none.</summary>
    public const string DefaultWorkspace = "main";

    /// <summary>The longest tenant name, in characters.</summary>
    public const int MaxNameLength = 200;

    /// <summary>The most runtime tenants one directory holds (its state is one stored record).</summary>
    public const int MaxTenants = 10_000;

    /// <summary>Every rule <paramref name="tenant"/> breaks, each as (field, message); empty when it is valid.</summary>
    /// <param name="tenant">The tenant to check.</param>
    /// <param name="limits">Bounds shared with the tenants folder (workspaces per tenant).</param>
    public static IReadOnlyList<KeyValuePair<string, string>> Problems(RuntimeTenant tenant, TenantLoadLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        limits ??= TenantLoadLimits.Default;
        var problems = new List<KeyValuePair<string, string>>();
        if (string.IsNullOrEmpty(tenant.Id) || !Identifiers.IsSlug(tenant.Id))
        {
            problems.Add(new("id", $"Tenant id '{tenant.Id}' is not valid: use {Identifiers.SlugRule}."));
        }

        if (tenant.Name is { } name && (string.IsNullOrWhiteSpace(name) || name.Length > MaxNameLength || name.Any(char.IsControl)))
        {
            problems.Add(new("name", $"'name' must be 1 to {MaxNameLength} printable characters, not blank; leave it out to use the id."));
        }

        var workspaces = tenant.Workspaces ?? [];
        if (workspaces.Count > limits.MaxWorkspacesPerTenant)
        {
            problems.Add(new("workspaces", $"'workspaces' lists {workspaces.Count:N0} workspaces, above the limit of {limits.MaxWorkspacesPerTenant:N0} per tenant (Tenancy:MaxWorkspacesPerTenant)."));
        }
        else
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < workspaces.Count; i++)
            {
                var key = workspaces[i];
                if (string.IsNullOrEmpty(key) || !Identifiers.IsSlug(key))
                {
                    problems.Add(new($"workspaces[{i}]", $"Workspace key '{key}' is not valid: use {Identifiers.SlugRule}."));
                }
                else if (!seen.Add(key))
                {
                    problems.Add(new($"workspaces[{i}]", $"Workspace '{key}' is listed twice; list it once."));
                }
            }
        }

        if (tenant.Budget is { } budget)
        {
            foreach (var problem in BudgetLimitsValidation.Problems(budget))
            {
                problems.Add(new("limits", problem));
            }
        }

        return problems;
    }

    /// <summary>The definition the registry holds for a valid runtime tenant.</summary>
    public static TenantDefinition ToDefinition(RuntimeTenant tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        IReadOnlyList<string> keys = tenant.Workspaces is { Count: > 0 } listed ? listed : [DefaultWorkspace];
        return new TenantDefinition
        {
            Slug = tenant.Id,
            DisplayName = tenant.Name ?? tenant.Id,
            Workspaces = keys.ToDictionary(
                key => key,
                key => new WorkspaceDefinition(key, key, [], RoutingSettings.Empty, new BudgetLimits(), PolicySettings.Empty),
                StringComparer.Ordinal),
            Budgets = tenant.Budget ?? new BudgetLimits(),
            Origin = TenantOrigin.Runtime,
        };
    }

    /// <summary>
    /// The registry of <paramref name="yaml"/>'s tenants and <paramref name="runtime"/>'s, under <paramref name="yaml"/>'s
    /// global defaults. A folder tenant whose id a runtime tenant holds is left out and reported as an error.
    /// </summary>
    /// <param name="yaml">The registry loaded from the tenants folder.</param>
    /// <param name="runtime">The runtime tenants (valid ones; the directory checks them before storing).</param>
    public static TenantRegistry Merge(TenantRegistry yaml, IReadOnlyCollection<RuntimeTenant> runtime)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(runtime);
        if (runtime.Count == 0)
        {
            return yaml;
        }

        var held = runtime.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        var problems = new List<TenantProblem>(yaml.Problems);
        foreach (var shadowed in yaml.Tenants.Where(t => held.Contains(t.Slug)))
        {
            problems.Add(new TenantProblem(
                shadowed.SourceFolder.Length == 0 ? shadowed.Slug : Path.Combine(shadowed.SourceFolder, "tenant.yaml"),
                0,
                0,
                ProblemSeverity.Error,
                $"Tenant '{shadowed.Slug}' is also a runtime tenant, which stays in use: rename the folder, or remove the runtime tenant (DELETE /admin/tenants/{shadowed.Slug}) for the folder to load.",
                shadowed.Slug));
        }

        return new TenantRegistry(
            yaml.Tenants.Where(t => !held.Contains(t.Slug)).Concat(runtime.Select(ToDefinition)),
            yaml.Global,
            problems);
    }
}
