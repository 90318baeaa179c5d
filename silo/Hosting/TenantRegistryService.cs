using Microsoft.Extensions.Options;
using OrleansTenancy.Tenancy.Registry;

namespace OrleansTenancy.Silo.Hosting;

/// <summary>
/// Loads the tenants folder at start, logs what it loaded and what it skipped, and (when
/// <see cref="TenancyHostOptions.WatchTenants"/> is on) keeps the registry current as files change.
/// A broken edit keeps the last good version of that tenant; the problem is logged.
/// </summary>
public sealed partial class TenantRegistryService : ITenantRegistrySource, IDisposable
{
    private readonly ILogger<TenantRegistryService> _logger;
    private readonly TenantRegistryWatcher? _watcher;
    private readonly TenantLoadLimits _limits;
    private readonly TenantClaimsFile _claimsFile;
    private TenantClaims? _savedClaims;
    private TenantRegistry _current;

    /// <summary>Loads the registry from the configured folder; contested claims stay with the holders remembered in the data directory.</summary>
    public TenantRegistryService(IOptions<TenancyHostOptions> options, ILogger<TenantRegistryService> logger, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        _logger = logger;
        var folder = Path.GetFullPath(options.Value.TenantsPath);
        TenantsDirectory = folder;
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException(
                $"The tenants folder '{folder}' does not exist. Pass --tenants <dir> or set Tenancy:TenantsPath.");
        }

        _limits = options.Value.LoadLimits;
        _claimsFile = new TenantClaimsFile(Path.Combine(Path.GetFullPath(options.Value.DataDirectory), TenantClaimsFile.FileName));
        var owners = _claimsFile.Read(out var claimsProblem);
        if (claimsProblem is not null)
        {
            LogClaimsUnreadable(claimsProblem);
        }

        _savedClaims = owners;
        if (options.Value.WatchTenants)
        {
            _watcher = new TenantRegistryWatcher(folder, timeProvider, limits: _limits, owners: owners);
            _current = _watcher.Current;
            _watcher.Reloaded += (_, e) => Publish(e.Registry, reload: true);
        }
        else
        {
            _current = TenantRegistryLoader.Load(folder, null, _limits, owners);
        }

        Publish(_current, reload: false);
    }

    /// <summary>The absolute path of the tenants folder.</summary>
    public string TenantsDirectory { get; }

    /// <inheritdoc />
    public TenantRegistry Current => Volatile.Read(ref _current);

    /// <summary>Re-reads the tenants folder now and returns the new snapshot.</summary>
    public TenantRegistry Reload()
    {
        if (_watcher is not null)
        {
            return _watcher.Reload();
        }

        var next = TenantRegistryLoader.Load(TenantsDirectory, Current, _limits);
        Publish(next, reload: true);
        return next;
    }

    /// <inheritdoc />
    public void Dispose() => _watcher?.Dispose();

    private void Publish(TenantRegistry registry, bool reload)
    {
        Volatile.Write(ref _current, registry);
        Report(registry, reload);
        if (!registry.Claims.Equals(_savedClaims))
        {
            try
            {
                _claimsFile.Write(registry.Claims);
                _savedClaims = registry.Claims;
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                LogClaimsUnwritable(_claimsFile.Path, error.Message);
            }
        }
    }

    private void Report(TenantRegistry registry, bool reload)
    {
        foreach (var tenant in registry.Tenants)
        {
            LogTenantLoaded(tenant.Slug, tenant.Workspaces.Count, tenant.Status.ToString(), tenant.TimeZone.Id);
        }

        foreach (var problem in registry.Problems)
        {
            if (problem.Severity == ProblemSeverity.Error)
            {
                LogProblemError(problem.ToString());
            }
            else
            {
                LogProblemWarning(problem.ToString());
            }
        }

        var skipped = registry.Problems
            .Where(p => p.Severity == ProblemSeverity.Error && p.Tenant is not null && registry.Find(p.Tenant) is null)
            .Select(p => p.Tenant!)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        LogSummary(reload ? "Reloaded" : "Loaded", registry.Tenants.Count, skipped.Count == 0 ? "none skipped" : $"skipped {skipped.Count} ({string.Join(", ", skipped)})", TenantsDirectory);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Tenant {Tenant}: {Workspaces} workspace(s), status {Status}, time zone {TimeZone}")]
    private partial void LogTenantLoaded(string tenant, int workspaces, string status, string timeZone);

    [LoggerMessage(Level = LogLevel.Error, Message = "Tenant problem: {Problem}")]
    private partial void LogProblemError(string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant problem: {Problem}")]
    private partial void LogProblemWarning(string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Action} {Count} tenant(s), {Skipped}, from {Folder}")]
    private partial void LogSummary(string action, int count, string skipped, string folder);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant claims: {Problem}")]
    private partial void LogClaimsUnreadable(string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant claims could not be written to {Path} ({Reason}); after a restart a contested guild or API key would go to no tenant")]
    private partial void LogClaimsUnwritable(string path, string reason);
}
