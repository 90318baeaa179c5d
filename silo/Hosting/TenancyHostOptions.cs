using Microsoft.Extensions.Options;
using OrleansTenancy.Tenancy.Registry;

namespace OrleansTenancy.Silo.Hosting;

/// <summary>
/// Settings of the silo host, bound from the <c>Tenancy</c> configuration section
/// (<c>appsettings.json</c>, environment variables such as <c>TENANCY__TENANTSPATH</c>, or the command line).
/// </summary>
public sealed class TenancyHostOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Tenancy";

    /// <summary>
    /// The tenants folder (one sub-folder per tenant). Relative paths resolve against the current directory.
    /// Defaults to <c>tenants</c>; the command line sets it with <c>--tenants &lt;dir&gt;</c>.
    /// </summary>
    public string TenantsPath { get; set; } = "tenants";

    /// <summary>Whether edits to the tenants folder are picked up while running. Defaults to <see langword="true"/>.</summary>
    public bool WatchTenants { get; set; } = true;

    /// <summary>
    /// The key that admin endpoints and trusted internal callers present (<c>Authorization: Bearer &lt;key&gt;</c>).
    /// Defaults to none, in which case admin endpoints answer loopback callers only.
    /// </summary>
    public string? AdminKey { get; set; }

    /// <summary>
    /// The largest tenant file read, in bytes; a larger file is a load problem of that file. Defaults to 1 MiB
    /// (1,048,576), far above any real tenant file.
    /// </summary>
    public long MaxTenantFileBytes { get; set; } = TenantLoadLimits.Default.MaxFileBytes;

    /// <summary>The most workspaces one tenant may define; a tenant with more is a load problem. Defaults to 1,000.</summary>
    public int MaxWorkspacesPerTenant { get; set; } = TenantLoadLimits.Default.MaxWorkspacesPerTenant;

    /// <summary>The limits of tenant loading these options describe.</summary>
    public TenantLoadLimits LoadLimits => new() { MaxFileBytes = MaxTenantFileBytes, MaxWorkspacesPerTenant = MaxWorkspacesPerTenant };

    /// <summary>
    /// Who may call without credentials in non-strict mode (and be served as <c>default:main</c>): <c>local</c> (the
    /// default) serves only callers on this machine and answers 401 to others; <c>any</c> serves every address, as the
    /// origin product did. Callers presenting the admin key may always use the fallback.
    /// </summary>
    public string AnonymousCallers { get; set; } = "local";

    /// <summary>Whether <see cref="AnonymousCallers"/> is <c>any</c>.</summary>
    public bool AnonymousCallersFromAnywhere => string.Equals(AnonymousCallers, "any", StringComparison.OrdinalIgnoreCase);

    /// <summary>Folder of the embedded SQLite storage and ledger (<c>tenancy.db</c>). Defaults to <c>data</c>.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>
    /// Where grain state and the usage ledger live: <c>sqlite</c> (the embedded default, one file under
    /// <see cref="DataDirectory"/>) or <c>postgres</c> (requires <see cref="PostgresConnectionString"/>).
    /// </summary>
    public string Storage { get; set; } = "sqlite";

    /// <summary>The PostgreSQL connection string used when <see cref="Storage"/> is <c>postgres</c>. No default.</summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>
    /// The folder of this silo's settlement outbox (on a single silo, the journal every answered call's settlement is
    /// flushed to before the answer). Unset, <c>settlements</c> under <see cref="DataDirectory"/>. A folder on a device of
    /// its own keeps the journal's flushes clear of the SQLite file's writes; it is locked like the data directory.
    /// </summary>
    public string? SettlementsDirectory { get; set; }

    /// <summary>The SQLite file of the embedded default.</summary>
    public string SqliteFile => Path.Combine(DataDirectory, "tenancy.db");

    /// <summary>The settlement outbox's folder: <see cref="SettlementsDirectory"/>, else <c>settlements</c> under <see cref="DataDirectory"/>.</summary>
    public string SettlementsFolder => string.IsNullOrWhiteSpace(SettlementsDirectory) ? DefaultSettlementsFolder(DataDirectory) : SettlementsDirectory;

    /// <summary>The settlements folder when <see cref="SettlementsDirectory"/> is unset: <c>settlements</c> under <paramref name="dataDirectory"/>.</summary>
    public static string DefaultSettlementsFolder(string dataDirectory) => Path.Combine(dataDirectory, "settlements");

    /// <summary>Whether two spellings of folder paths name the same folder (relative to the working directory, trailing separator or not).</summary>
    public static bool SameFolder(string first, string second) => string.Equals(
        Path.TrimEndingDirectorySeparator(Path.GetFullPath(first)), Path.TrimEndingDirectorySeparator(Path.GetFullPath(second)), StringComparison.Ordinal);

    /// <inheritdoc />
    public override string ToString() =>
        $"TenantsPath={TenantsPath}, WatchTenants={WatchTenants}, MaxTenantFileBytes={MaxTenantFileBytes}, MaxWorkspacesPerTenant={MaxWorkspacesPerTenant}, AnonymousCallers={AnonymousCallers}, AdminKey={(AdminKey is null ? "<none>" : "<redacted>")}, DataDirectory={DataDirectory}, SettlementsDirectory={SettlementsFolder}, Storage={Storage}, PostgresConnectionString={(PostgresConnectionString is null ? "<none>" : "<redacted>")}";
}

/// <summary>Validates <see cref="TenancyHostOptions"/> at start so that a bad setting stops the host with a clear message.</summary>
public sealed class TenancyHostOptionsValidator : IValidateOptions<TenancyHostOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, TenancyHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.TenantsPath))
        {
            failures.Add("Tenancy:TenantsPath must name a folder (pass --tenants <dir>).");
        }

        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            failures.Add("Tenancy:DataDirectory must name a folder.");
        }
        else if (!string.IsNullOrWhiteSpace(options.SettlementsDirectory)
            && TenancyHostOptions.SameFolder(options.SettlementsDirectory, options.DataDirectory))
        {
            // The outbox reads every *.json file of its folder as a settlement: the data directory's own files are not.
            failures.Add($"Tenancy:SettlementsDirectory must be a folder of its own, not the data directory '{options.DataDirectory}' (leave it unset for '{TenancyHostOptions.DefaultSettlementsFolder(options.DataDirectory)}').");
        }

        if (options.Storage is not ("sqlite" or "postgres"))
        {
            failures.Add($"Tenancy:Storage must be 'sqlite' or 'postgres', not '{options.Storage}'.");
        }
        else if (options.Storage == "postgres" && string.IsNullOrWhiteSpace(options.PostgresConnectionString))
        {
            failures.Add("Tenancy:PostgresConnectionString is required when Tenancy:Storage is 'postgres'.");
        }

        if (!string.Equals(options.AnonymousCallers, "local", StringComparison.OrdinalIgnoreCase) && !options.AnonymousCallersFromAnywhere)
        {
            failures.Add($"Tenancy:AnonymousCallers must be 'local' or 'any', not '{options.AnonymousCallers}'.");
        }

        if (options.MaxTenantFileBytes < 1)
        {
            failures.Add($"Tenancy:MaxTenantFileBytes must be at least 1 (bytes), not {options.MaxTenantFileBytes}.");
        }

        if (options.MaxWorkspacesPerTenant < 1)
        {
            failures.Add($"Tenancy:MaxWorkspacesPerTenant must be at least 1, not {options.MaxWorkspacesPerTenant}.");
        }

        if (options.AdminKey is { Length: > 0 and < 16 })
        {
            failures.Add("Tenancy:AdminKey must be at least 16 characters long.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
