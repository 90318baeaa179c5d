using OrleansTenancy.Tenancy.Registry.Parsing;

namespace OrleansTenancy.Tenancy.Registry;

/// <summary>
/// Loads a tenants folder into a <see cref="TenantRegistry"/>. Loading never throws for bad content: each
/// problem is recorded with its file and line, a broken tenant is skipped (or, given the previous snapshot,
/// kept at its last good version) and the other tenants load.
/// </summary>
public static class TenantRegistryLoader
{
    /// <summary>The tenant that exists even without a folder, so non-strict fallback to <c>default:main</c> always resolves.</summary>
    public const string DefaultTenant = "default";

    /// <summary>Loads every tenant under <paramref name="tenantsDirectory"/> within <see cref="TenantLoadLimits.Default"/>.</summary>
    /// <param name="tenantsDirectory">The tenants folder; problem paths are built from it as given.</param>
    /// <param name="previous">The last good snapshot; a tenant (or <c>_global.yaml</c>) whose new files are broken keeps its version from here.</param>
    public static TenantRegistry Load(string tenantsDirectory, TenantRegistry? previous = null) => Load(tenantsDirectory, previous, TenantLoadLimits.Default);

    /// <summary>Loads every tenant under <paramref name="tenantsDirectory"/>, reading no more than <paramref name="limits"/> allow.</summary>
    /// <param name="tenantsDirectory">The tenants folder; problem paths are built from it as given.</param>
    /// <param name="previous">The last good snapshot; a tenant (or <c>_global.yaml</c>) whose new files are broken keeps its version from here.</param>
    /// <param name="limits">Bounds on file sizes and workspace counts.</param>
    public static TenantRegistry Load(string tenantsDirectory, TenantRegistry? previous, TenantLoadLimits limits) =>
        Load(tenantsDirectory, previous, limits, null);

    /// <summary>
    /// Loads every tenant under <paramref name="tenantsDirectory"/>; a guild or API key claimed by two tenants stays with
    /// its holder: the tenant of <paramref name="previous"/> that held it, else the one <paramref name="owners"/> names
    /// (the claims remembered from the last run, for a start), else neither.
    /// </summary>
    /// <param name="tenantsDirectory">The tenants folder; problem paths are built from it as given.</param>
    /// <param name="previous">The last good snapshot; a tenant (or <c>_global.yaml</c>) whose new files are broken keeps its version from here.</param>
    /// <param name="limits">Bounds on file sizes and workspace counts.</param>
    /// <param name="owners">Who held each guild and key when there is no previous snapshot (see <see cref="TenantRegistry.Claims"/>).</param>
    public static TenantRegistry Load(string tenantsDirectory, TenantRegistry? previous, TenantLoadLimits limits, TenantClaims? owners)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentException.ThrowIfNullOrEmpty(tenantsDirectory);
        var problems = new List<TenantProblem>();
        if (!Directory.Exists(tenantsDirectory))
        {
            problems.Add(new TenantProblem(tenantsDirectory, 0, 0, ProblemSeverity.Error, "The tenants folder does not exist; create it or pass the right path.", null));
            return previous is null
                ? new TenantRegistry([BuiltInDefault()], GlobalDefaults.Empty, problems)
                : new TenantRegistry(previous.Tenants, previous.Global, problems);
        }

        var files = new TenantFileReader(tenantsDirectory, limits);
        var global = LoadGlobal(tenantsDirectory, previous, files, problems);
        var candidates = new List<TenantDefinition>();
        var folders = ListFolders(tenantsDirectory, problems);
        if (folders is null)
        {
            return previous is null
                ? new TenantRegistry([BuiltInDefault()], global, problems)
                : new TenantRegistry(previous.Tenants, global, problems);
        }

        foreach (var folder in folders)
        {
            var slug = Path.GetFileName(folder);
            if (slug.StartsWith('_') || slug.StartsWith('.'))
            {
                continue;
            }

            if (!Identifiers.IsSlug(slug))
            {
                problems.Add(new TenantProblem(folder, 0, 0, ProblemSeverity.Error,
                    $"Folder name '{slug}' is not a valid tenant slug: use {Identifiers.SlugRule} (or prefix it with '_' to keep it out of the registry).", slug));
                continue;
            }

            TenantDefinition? parsed = null;
            if (files.FolderProblem(folder) is { } folderProblem)
            {
                problems.Add(new TenantProblem(folder, 0, 0, ProblemSeverity.Error, folderProblem, slug));
            }
            else
            {
                parsed = TenantFolderParser.Parse(folder, slug, global, files, problems);
            }

            if (parsed is not null)
            {
                candidates.Add(parsed);
            }
            else if (previous?.Find(slug) is { SourceFolder.Length: > 0 } lastGood)
            {
                problems.Add(new TenantProblem(Path.Combine(folder, "tenant.yaml"), 0, 0, ProblemSeverity.Warning,
                    $"Tenant '{slug}' keeps its last good configuration until the problems above are fixed.", slug));
                candidates.Add(lastGood);
            }
        }

        var tenants = ConflictResolver.Resolve(candidates, previous, previous?.Claims ?? owners ?? TenantClaims.Empty, problems);
        if (!tenants.Any(t => t.Slug == DefaultTenant))
        {
            tenants.Add(BuiltInDefault());
        }

        return new TenantRegistry(tenants, global, problems);
    }

    /// <summary>
    /// Every problem in <paramref name="tenantsDirectory"/>, ordered by file and line; the logic behind
    /// <c>silo validate-tenants &lt;dir&gt;</c>, which exits 1 when any has <see cref="ProblemSeverity.Error"/>.
    /// </summary>
    public static IReadOnlyList<TenantProblem> Validate(string tenantsDirectory) => Validate(tenantsDirectory, TenantLoadLimits.Default);

    /// <summary>Every problem in <paramref name="tenantsDirectory"/> loaded within <paramref name="limits"/>, ordered by file and line.</summary>
    public static IReadOnlyList<TenantProblem> Validate(string tenantsDirectory, TenantLoadLimits limits)
        => Load(tenantsDirectory, null, limits).Problems
            .OrderBy(p => p.File, StringComparer.Ordinal)
            .ThenBy(p => p.Line)
            .ThenBy(p => p.Column)
            .ToList();

    private static GlobalDefaults LoadGlobal(string tenantsDirectory, TenantRegistry? previous, TenantFileReader files, List<TenantProblem> problems)
    {
        var path = Path.Combine(tenantsDirectory, GlobalParser.FileName);
        var misnamed = Path.Combine(tenantsDirectory, "_global.yml");
        if (File.Exists(misnamed))
        {
            problems.Add(new TenantProblem(misnamed, 0, 0, ProblemSeverity.Error, "Global defaults must be named _global.yaml; rename _global.yml.", null));
        }

        if (!File.Exists(path))
        {
            return GlobalDefaults.Empty;
        }

        var parsed = GlobalParser.Parse(path, files, problems);
        if (parsed is not null)
        {
            return parsed;
        }

        if (previous is not null)
        {
            problems.Add(new TenantProblem(path, 0, 0, ProblemSeverity.Warning, "The last good global defaults stay in effect until the problems above are fixed.", null));
            return previous.Global;
        }

        return GlobalDefaults.Empty;
    }

    /// <summary>The candidate folders, or <see langword="null"/> when the folder cannot be listed (then nothing is unloaded).</summary>
    private static List<string>? ListFolders(string tenantsDirectory, List<TenantProblem> problems)
    {
        try
        {
            return [.. Directory.EnumerateDirectories(tenantsDirectory).Order(StringComparer.Ordinal)];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problems.Add(new TenantProblem(tenantsDirectory, 0, 0, ProblemSeverity.Error, $"The tenants folder cannot be listed ({ex.Message}).", null));
            return null;
        }
    }

    private static TenantDefinition BuiltInDefault() => new()
    {
        Slug = DefaultTenant,
        DisplayName = "Default",
        Workspaces = new Dictionary<string, WorkspaceDefinition>(StringComparer.Ordinal)
        {
            ["main"] = new("main", "main", [], RoutingSettings.Empty, new BudgetLimits(), PolicySettings.Empty),
        },
    };
}
