using OrleansTenancy.Tenancy.Registry;

namespace OrleansTenancy.Grains.Tests.Infrastructure;

/// <summary>
/// A temporary tenants folder whose registry tests extend one tenant at a time, so that each test owns its tenant.
/// </summary>
public sealed class TenantsFolder : ITenantRegistrySource, IDisposable
{
    private readonly Lock _gate = new();
    private TenantRegistry _current;

    public TenantsFolder()
    {
        Directory.CreateDirectory(Path);
        _current = TenantRegistryLoader.Load(Path);
    }

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "tenants-" + Guid.NewGuid().ToString("N"));

    public TenantRegistry Current => Volatile.Read(ref _current);

    /// <summary>Adds a tenant with workspace <c>main</c> (and any <paramref name="extraWorkspaces"/>) and the given budgets.yaml body.</summary>
    public string AddTenant(string budgetsYaml, string timezone = "UTC", string? workspacesYaml = null, string prefix = "t", string? routingYaml = null, string? policyYaml = null)
    {
        var slug = $"{prefix}-{Guid.NewGuid():N}"[..20];
        var folder = System.IO.Path.Combine(Path, slug);
        Directory.CreateDirectory(folder);
        File.WriteAllText(System.IO.Path.Combine(folder, "tenant.yaml"), $"""
            name: {slug}
            timezone: {timezone}
            workspaces:
            {workspacesYaml ?? "  main: {}"}
            """);
        File.WriteAllText(System.IO.Path.Combine(folder, "budgets.yaml"), budgetsYaml);
        if (routingYaml is not null)
        {
            File.WriteAllText(System.IO.Path.Combine(folder, "routing.yaml"), routingYaml);
        }

        if (policyYaml is not null)
        {
            File.WriteAllText(System.IO.Path.Combine(folder, "policy_overrides.yaml"), policyYaml);
        }

        lock (_gate)
        {
            var next = TenantRegistryLoader.Load(Path, _current);
            var problems = next.Problems.Where(p => p.Tenant == slug).ToList();
            if (problems.Count > 0)
            {
                throw new InvalidOperationException("Test tenant did not load: " + string.Join("; ", problems));
            }

            Volatile.Write(ref _current, next);
        }

        return slug;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
