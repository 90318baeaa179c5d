using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace OrleansTenancy.Cli.Client;

/// <summary>
/// A typed client for the silo's HTTP admin API (<c>/admin/*</c> and <c>/healthz</c>). Every method returns
/// the typed body together with the raw JSON; a refusal throws <see cref="TenancyAdminException"/> and an
/// unreachable silo throws <see cref="TenancyUnreachableException"/>.
/// </summary>
public sealed class TenancyAdminClient
{
    /// <summary>The JSON conventions of the silo: snake_case names, enums as snake_case strings, nulls left out.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    private readonly HttpClient _http;

    /// <summary>Wraps an <see cref="HttpClient"/> whose <see cref="HttpClient.BaseAddress"/> is the silo.</summary>
    /// <param name="http">The client; its base address must be set.</param>
    /// <param name="adminKey">The silo's admin key, sent as a bearer token; <see langword="null"/> when the silo has none.</param>
    public TenancyAdminClient(HttpClient http, string? adminKey = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        _http = http;
        BaseAddress = http.BaseAddress ?? throw new ArgumentException("Set HttpClient.BaseAddress to the silo's URL, e.g. http://127.0.0.1:8080.", nameof(http));
        if (!string.IsNullOrEmpty(adminKey))
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminKey);
        }
    }

    /// <summary>The silo's address.</summary>
    public Uri BaseAddress { get; }

    /// <summary><c>GET /healthz</c>.</summary>
    public Task<AdminResponse<HealthReport>> GetHealthAsync(CancellationToken cancellationToken = default) =>
        SendAsync<HealthReport>(HttpMethod.Get, "healthz", null, cancellationToken);

    /// <summary><c>GET /admin/tenants</c>: tenants, workspaces, limits and load errors.</summary>
    public Task<AdminResponse<TenantsReport>> ListTenantsAsync(CancellationToken cancellationToken = default) =>
        SendAsync<TenantsReport>(HttpMethod.Get, "admin/tenants", null, cancellationToken);

    /// <summary><c>POST /admin/tenants/reload</c>: re-reads the tenants folder.</summary>
    public Task<AdminResponse<TenantsReport>> ReloadTenantsAsync(CancellationToken cancellationToken = default) =>
        SendAsync<TenantsReport>(HttpMethod.Post, "admin/tenants/reload", null, cancellationToken);

    /// <summary><c>POST /admin/tenants</c>: registers a runtime tenant (409 when the id is in use).</summary>
    public Task<AdminResponse<RuntimeTenant>> RegisterTenantAsync(RuntimeTenantRequest tenant, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        return SendAsync<RuntimeTenant>(HttpMethod.Post, "admin/tenants", JsonSerializer.Serialize(tenant, JsonOptions), cancellationToken);
    }

    /// <summary><c>PUT /admin/tenants/{id}</c>: replaces a runtime tenant's name, workspaces and limits.</summary>
    public Task<AdminResponse<RuntimeTenant>> ReplaceTenantAsync(string id, RuntimeTenantRequest tenant, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        return SendAsync<RuntimeTenant>(HttpMethod.Put, TenantPath(id, null), JsonSerializer.Serialize(tenant, JsonOptions), cancellationToken);
    }

    /// <summary><c>DELETE /admin/tenants/{id}</c>: removes a runtime tenant (404 when there is none of that id).</summary>
    public async Task<AdminResponse<RemovedTenant>> RemoveTenantAsync(string id, CancellationToken cancellationToken = default)
    {
        await SendForStatusAsync(HttpMethod.Delete, TenantPath(id, null), null, cancellationToken).ConfigureAwait(false);
        var removed = new RemovedTenant(id, true);
        return new AdminResponse<RemovedTenant>(removed, JsonSerializer.Serialize(removed, JsonOptions));
    }

    /// <summary><c>GET /admin/cluster</c>: every silo with its status, uptime, activations and tenant registry hash.</summary>
    public Task<AdminResponse<ClusterReport>> GetClusterAsync(CancellationToken cancellationToken = default) =>
        SendAsync<ClusterReport>(HttpMethod.Get, "admin/cluster", null, cancellationToken);

    /// <summary><c>GET /admin/tenants/{tenant}/budget</c>.</summary>
    public Task<AdminResponse<BudgetReport>> GetBudgetAsync(string tenant, CancellationToken cancellationToken = default) =>
        SendAsync<BudgetReport>(HttpMethod.Get, TenantPath(tenant, "budget"), null, cancellationToken);

    /// <summary>
    /// <c>PUT /admin/tenants/{tenant}/budget</c>: replaces the runtime override with <paramref name="limits"/>; fields left
    /// null are in no override and keep their YAML value. <see cref="UpdateBudgetAsync"/> keeps the override's other fields.
    /// </summary>
    public Task<AdminResponse<BudgetReport>> SetBudgetAsync(string tenant, BudgetLimits limits, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return SendAsync<BudgetReport>(HttpMethod.Put, TenantPath(tenant, "budget"), JsonSerializer.Serialize(limits, JsonOptions), cancellationToken);
    }

    /// <summary>
    /// Changes the non-null fields of <paramref name="changes"/> in the runtime override and keeps its other fields: reads the
    /// budget, merges the changes into its <c>override</c> object (fields this client does not know are kept as sent) and
    /// writes the result with <c>PUT</c>. The admin API has no version check, so an update made by someone else between
    /// the read and the write is overwritten for the fields both set.
    /// </summary>
    public async Task<AdminResponse<BudgetReport>> UpdateBudgetAsync(string tenant, BudgetLimits changes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var current = await GetBudgetAsync(tenant, cancellationToken).ConfigureAwait(false);
        var merged = JsonNode.Parse(current.Json)?["override"] as JsonObject ?? [];
        foreach (var (name, value) in JsonSerializer.SerializeToNode(changes, JsonOptions)!.AsObject())
        {
            merged[name] = value?.DeepClone();
        }

        return await SendAsync<BudgetReport>(HttpMethod.Put, TenantPath(tenant, "budget"), merged.ToJsonString(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>DELETE /admin/tenants/{tenant}/budget</c>: removes the runtime override.</summary>
    public Task<AdminResponse<BudgetReport>> ClearBudgetAsync(string tenant, CancellationToken cancellationToken = default) =>
        SendAsync<BudgetReport>(HttpMethod.Delete, TenantPath(tenant, "budget"), null, cancellationToken);

    /// <summary><c>GET /admin/tenants/{tenant}/usage</c> for a named period (<c>today</c>, <c>yesterday</c>, <c>this_week</c>, <c>this_month</c>).</summary>
    public Task<AdminResponse<UsageReport>> GetUsageAsync(string tenant, string period, CancellationToken cancellationToken = default) =>
        SendAsync<UsageReport>(HttpMethod.Get, $"{TenantPath(tenant, "usage")}?period={Uri.EscapeDataString(period)}", null, cancellationToken);

    /// <summary><c>GET /admin/tenants/{tenant}/usage</c> for local dates <paramref name="from"/> to <paramref name="to"/>, both included.</summary>
    public Task<AdminResponse<UsageReport>> GetUsageAsync(string tenant, DateOnly from, DateOnly to, CancellationToken cancellationToken = default) =>
        SendAsync<UsageReport>(HttpMethod.Get,
            string.Create(CultureInfo.InvariantCulture, $"{TenantPath(tenant, "usage")}?from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}"), null, cancellationToken);

    /// <summary><c>GET /admin/tenants/{tenant}/executions</c>: one page, newest first.</summary>
    /// <param name="tenant">The tenant slug.</param>
    /// <param name="pageSize">Rows per page (1–200).</param>
    /// <param name="cursor">The previous page's <see cref="ExecutionPage.NextCursor"/>, or <see langword="null"/> for the first page.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<AdminResponse<ExecutionPage>> ListExecutionsAsync(string tenant, int pageSize, string? cursor = null, CancellationToken cancellationToken = default)
    {
        var query = string.Create(CultureInfo.InvariantCulture, $"?page_size={pageSize}");
        if (cursor is not null)
        {
            query += "&cursor=" + Uri.EscapeDataString(cursor);
        }

        return SendAsync<ExecutionPage>(HttpMethod.Get, TenantPath(tenant, "executions") + query, null, cancellationToken);
    }

    /// <summary>
    /// Follows <see cref="ExecutionPage.NextCursor"/> from <paramref name="cursor"/> to the last page and returns every row as
    /// one page, with JSON <c>{"items":[…]}</c> holding the rows exactly as the silo sent them.
    /// </summary>
    /// <param name="tenant">The tenant slug.</param>
    /// <param name="pageSize">Rows per request (1–200).</param>
    /// <param name="cursor">Where to start, or <see langword="null"/> for the newest row.</param>
    /// <param name="progress">Told "N executions in M pages" after each page; may be <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    public async Task<AdminResponse<ExecutionPage>> ListAllExecutionsAsync(
        string tenant, int pageSize, string? cursor = null, Action<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var items = new List<ExecutionRecord>();
        var rows = new JsonArray();
        var pages = 0;
        do
        {
            var page = await ListExecutionsAsync(tenant, pageSize, cursor, cancellationToken).ConfigureAwait(false);
            items.AddRange(page.Value.Items);
            foreach (var row in JsonNode.Parse(page.Json)?["items"]?.AsArray() ?? [])
            {
                rows.Add(row?.DeepClone());
            }

            cursor = page.Value.NextCursor;
            pages++;
            progress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"Fetched {items.Count} executions in {pages} page(s)"));
        }
        while (cursor is not null);

        return new AdminResponse<ExecutionPage>(new ExecutionPage(items, null), new JsonObject { ["items"] = rows }.ToJsonString());
    }

    /// <summary><c>POST /admin/tenants/{tenant}/reconcile</c>: recomputes the day and month counters from the ledger.</summary>
    public Task<AdminResponse<ReconcileReport>> ReconcileAsync(string tenant, CancellationToken cancellationToken = default) =>
        SendAsync<ReconcileReport>(HttpMethod.Post, TenantPath(tenant, "reconcile"), null, cancellationToken);

    private static string TenantPath(string tenant, string? leaf)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenant);
        return leaf is null ? $"admin/tenants/{Uri.EscapeDataString(tenant)}" : $"admin/tenants/{Uri.EscapeDataString(tenant)}/{leaf}";
    }

    private async Task<AdminResponse<T>> SendAsync<T>(HttpMethod method, string relative, string? jsonBody, CancellationToken cancellationToken)
    {
        var (status, json) = await SendForStatusAsync(method, relative, jsonBody, cancellationToken).ConfigureAwait(false);
        try
        {
            var value = JsonSerializer.Deserialize<T>(json, JsonOptions)
                ?? throw new TenancyAdminException(status, "Empty answer", $"{method} /{relative} returned no body.");
            return new AdminResponse<T>(value, json);
        }
        catch (JsonException error)
        {
            throw new TenancyAdminException($"{method} /{relative} returned JSON this client does not understand ({error.Message}); is {BaseAddress} an OrleansTenancy silo?", error);
        }
    }

    /// <summary>Sends the request; returns the status and body of a success, throws the refusal of anything else.</summary>
    private async Task<(HttpStatusCode Status, string Json)> SendForStatusAsync(HttpMethod method, string relative, string? jsonBody, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(BaseAddress, relative));
        if (jsonBody is not null)
        {
            request.Content = new StringContent(jsonBody, Encoding.UTF8, "application/json");
        }

        string json;
        HttpStatusCode status;
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            status = response.StatusCode;
            json = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw Refusal(status, response.ReasonPhrase, json);
            }
        }
        catch (HttpRequestException error) when (error.StatusCode is null)
        {
            throw new TenancyUnreachableException(BaseAddress, error);
        }
        catch (TaskCanceledException error) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TenancyUnreachableException(BaseAddress, error);
        }

        return (status, json);
    }

    private static TenancyAdminException Refusal(HttpStatusCode status, string? reason, string body)
    {
        try
        {
            using var problem = JsonDocument.Parse(body);
            var root = problem.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("title", out var title) && title.ValueKind == JsonValueKind.String)
            {
                var detail = root.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
                return new TenancyAdminException(status, title.GetString()!, detail);
            }
        }
        catch (JsonException)
        {
            // Not ProblemDetails (e.g. a proxy's HTML page): fall through to the status line and raw body.
        }

        var text = body.Length > 500 ? body[..500] : body;
        return new TenancyAdminException(status, $"{(int)status} {reason}", string.IsNullOrWhiteSpace(text) ? null : text.Trim());
    }
}
