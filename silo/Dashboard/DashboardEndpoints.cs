using Microsoft.Extensions.Options;
using OrleansTenancy.Silo.Hosting;
using OrleansTenancy.Tenancy.Registry;

namespace OrleansTenancy.Silo.Dashboard;

/// <summary>
/// The tenant dashboard at <c>/dashboard</c>: a page that shows every tenant's budget bars, usage charts, recent
/// executions, alert thresholds reached and the cluster's silos, refreshed in place every few seconds.
/// </summary>
/// <remarks>
/// Who may see it follows the admin API's rule (<see cref="AdminAuthorizationFilter.Decide"/>): with an admin key
/// configured, the key as <c>Authorization: Bearer</c> or a session from the sign-in form; without one, callers on this
/// machine only. Without either, <c>/dashboard</c> answers with the sign-in page and nothing else. The page reads
/// <c>/dashboard/api/*</c> and the admin API's usage and executions endpoints with its session cookie.
/// </remarks>
public static class DashboardEndpoints
{
    /// <summary>Largest sign-in form body accepted, in bytes (the key field and a little more).</summary>
    private const long MaxFormBytes = 4096;

    private const string AdminKeyField = "admin_key";

    /// <summary>Maps the page, sign-in and sign-out, the assets and the page's data endpoints.</summary>
    public static RouteGroupBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);

        // Created now, with the host: refusals are counted from the start.
        app.ServiceProvider.GetRequiredService<RecentRefusals>();

        var dashboard = app.MapGroup("/dashboard").AddEndpointFilter(SecurityHeaders).ExcludeFromDescription();
        dashboard.MapGet("", Page).WithName("DashboardPage");
        dashboard.MapGet("/login", LoginForm).WithName("DashboardLoginForm");
        dashboard.MapPost("/login", SignInAsync).WithName("DashboardSignIn").DisableAntiforgery();
        dashboard.MapPost("/logout", SignOut).WithName("DashboardSignOut").DisableAntiforgery();
        dashboard.MapGet("/assets/dashboard.css", () => Results.Text(DashboardAssets.Stylesheet, "text/css; charset=utf-8"));
        dashboard.MapGet("/assets/dashboard.js", () => Results.Text(DashboardAssets.Script, "text/javascript; charset=utf-8"))
            .AddEndpointFilter<AdminAuthorizationFilter>();

        var api = dashboard.MapGroup("/api").AddEndpointFilter<AdminAuthorizationFilter>();
        api.MapGet("/overview", GetOverviewAsync)
            .WithName("DashboardOverview")
            .WithSummary("Every tenant's limits with spent, reserved, remaining, level and reset time; alert thresholds reached; this silo's refusals.");
        return dashboard;
    }

    /// <summary>The overview the page polls.</summary>
    public static Task<DashboardOverview> GetOverviewAsync(ITenantRegistrySource registry, IGrainFactory grains, RecentRefusals refusals, TimeProvider time) =>
        DashboardOverview.ReadAsync(registry, grains, refusals, time);

    private static IResult Page(HttpContext http, IOptions<TenancyHostOptions> host, IOptions<DashboardOptions> options, DashboardSessions sessions) =>
        AdminAuthorizationFilter.Decide(http, host.Value.AdminKey) switch
        {
            AdminAccess.Granted => Html(DashboardAssets.Page(PathBase(http), options.Value.RefreshInterval, signOut: sessions.KeyConfigured), StatusCodes.Status200OK),
            AdminAccess.KeyRequired => Results.Redirect($"{PathBase(http)}/dashboard/login"),
            _ => LoopbackOnly(http),
        };

    private static IResult LoginForm(HttpContext http, DashboardSessions sessions)
    {
        if (!sessions.KeyConfigured)
        {
            return ServedWithoutKey(http) ? Results.Redirect($"{PathBase(http)}/dashboard") : LoopbackOnly(http);
        }

        return sessions.IsValid(http.Request.Cookies[DashboardSessions.CookieName])
            ? Results.Redirect($"{PathBase(http)}/dashboard")
            : Html(DashboardAssets.Login(PathBase(http), message: null, form: true), StatusCodes.Status200OK);
    }

    private static async Task<IResult> SignInAsync(HttpContext http, DashboardSessions sessions)
    {
        if (!sessions.KeyConfigured)
        {
            return ServedWithoutKey(http) ? SeeOther($"{PathBase(http)}/dashboard") : LoopbackOnly(http);
        }

        if (!FromThisSite(http.Request))
        {
            return LoginPage(http, StatusCodes.Status403Forbidden,
                "This sign-in was sent from another site, so it was refused. Open this page on the silo itself and sign in again.");
        }

        if (!http.Request.HasFormContentType || http.Request.ContentLength is not (> 0 and <= MaxFormBytes))
        {
            return LoginPage(http, StatusCodes.Status400BadRequest,
                $"Send the admin key from this form (a URL-encoded form of at most {MaxFormBytes} bytes).");
        }

        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        if (!sessions.IsAdminKey(form[AdminKeyField].ToString()))
        {
            return LoginPage(http, StatusCodes.Status401Unauthorized, "That is not the admin key. Nothing was saved; try again.");
        }

        sessions.SignIn(http);
        return SeeOther($"{PathBase(http)}/dashboard");
    }

    private static IResult SignOut(HttpContext http, DashboardSessions sessions)
    {
        if (!sessions.KeyConfigured)
        {
            return SeeOther($"{PathBase(http)}/dashboard");
        }

        if (!FromThisSite(http.Request))
        {
            return LoginPage(http, StatusCodes.Status403Forbidden, "This sign-out was sent from another site, so it was refused.");
        }

        DashboardSessions.SignOut(http);
        return SeeOther($"{PathBase(http)}/dashboard/login");
    }

    /// <summary>
    /// Whether a form post comes from a page of this silo: its <c>Origin</c> (else <c>Referer</c>) names this scheme and
    /// host. A request with neither comes from no browser page at all, so no other site can have caused it.
    /// </summary>
    /// <param name="request">A form post.</param>
    public static bool FromThisSite(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var source = request.Headers.Origin.ToString();
        if (source.Length == 0)
        {
            source = request.Headers.Referer.ToString();
            if (source.Length == 0)
            {
                return true;
            }
        }

        return Uri.TryCreate(source, UriKind.Absolute, out var uri)
            && string.Equals(uri.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Headers of every dashboard response: no framing, no inline script, nothing cached, no referrer.</summary>
    private static async ValueTask<object?> SecurityHeaders(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var headers = context.HttpContext.Response.Headers;
        headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "same-origin";
        headers.CacheControl = "no-store";
        return await next(context);
    }

    private static IResult LoginPage(HttpContext http, int status, string message) =>
        Html(DashboardAssets.Login(PathBase(http), message, form: true), status);

    private static IResult LoopbackOnly(HttpContext http) =>
        Html(DashboardAssets.Login(PathBase(http),
            "No admin key is configured (Tenancy:AdminKey), so the dashboard is served only to callers on the silo's own machine.",
            form: false), StatusCodes.Status403Forbidden);

    private static IResult Html(string html, int status) => Results.Content(html, "text/html; charset=utf-8", statusCode: status);

    private static SeeOtherResult SeeOther(string location) => new(location);

    /// <summary>With no admin key configured: whether the admin API's rule serves this caller (one on this machine).</summary>
    private static bool ServedWithoutKey(HttpContext http) => AdminAuthorizationFilter.Decide(http, adminKey: null) == AdminAccess.Granted;

    private static string PathBase(HttpContext http) => http.Request.PathBase.Value ?? string.Empty;

    /// <summary>303 See Other: after a form post the browser fetches the next page with GET.</summary>
    private sealed class SeeOtherResult(string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
            httpContext.Response.Headers.Location = location;
            return Task.CompletedTask;
        }
    }
}
