using OrleansTenancy.Tenancy.Registry;

namespace OrleansTenancy.TestSupport;

/// <summary>A throw-away tenants folder owned by one test.</summary>
public sealed class TempTenants : IDisposable
{
    public TempTenants()
    {
        Root = Path.Combine(Path.GetTempPath(), "tenants-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public TempTenants Write(string relativePath, string content)
    {
        var path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return this;
    }

    public TempTenants WriteAll(IEnumerable<KeyValuePair<string, string>> files)
    {
        foreach (var (path, content) in files)
        {
            Write(path, content);
        }

        return this;
    }

    public TenantRegistry Load(TenantRegistry? previous = null) => TenantRegistryLoader.Load(Root, previous);

    public string PathOf(string relativePath) => Path.Combine(Root, relativePath);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder does not affect other tests, which use their own.
        }
    }

    /// <summary>A minimal valid tenant.yaml with one workspace and guild.</summary>
    public static string TenantYaml(string workspace = "main", string guild = "123456789012345678") => $"""
        name: Test
        workspaces:
          {workspace}:
            discord_guild_id: {guild}
        """;
}
