using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using OrleansTenancy.Silo.Dashboard;

namespace OrleansTenancy.Dashboard.Tests.Access;

/// <summary>Who may see the dashboard and its data, over HTTP, against the silo host with the example tenants.</summary>
public sealed class DashboardAccessTests : IAsyncLifetime
{
    private readonly ExampleSilo _silo = new(ExampleSilo.AdminKey);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    [Theory]
    [InlineData("/dashboard/api/overview")]
    [InlineData("/admin/cluster")]
    [InlineData("/dashboard/assets/dashboard.js")]
    [InlineData("/admin/tenants/acme/usage")]
    public async Task Data_and_script_need_the_key_and_answer_it_as_a_bearer_header(string path)
    {
        using var client = _silo.Client();
        using var anonymous = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        using var wrong = await client.SendAsync(Get(path, bearer: "not-the-admin-key-at-all"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);

        using var bearer = await client.SendAsync(Get(path, bearer: ExampleSilo.AdminKey));
        Assert.Equal(HttpStatusCode.OK, bearer.StatusCode);
    }

    [Fact]
    public async Task Without_credentials_the_dashboard_is_only_a_sign_in_page()
    {
        using var client = _silo.Client();
        using var page = await client.GetAsync("/dashboard");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/dashboard/login", page.Headers.Location?.OriginalString);

        using var login = await client.GetAsync("/dashboard/login");
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var html = await login.Content.ReadAsStringAsync();
        Assert.Contains("name=\"admin_key\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("acme", html, StringComparison.OrdinalIgnoreCase);

        using var stylesheet = await client.GetAsync("/dashboard/assets/dashboard.css");
        Assert.Equal(HttpStatusCode.OK, stylesheet.StatusCode);

        using var withKey = await client.SendAsync(Get("/dashboard", bearer: ExampleSilo.AdminKey));
        Assert.Equal(HttpStatusCode.OK, withKey.StatusCode);
        Assert.Contains("Tenant budgets", await withKey.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", withKey.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signing_in_sets_an_HttpOnly_strict_cookie_that_holds_no_key_and_authorizes_reads_only()
    {
        using var client = _silo.Client();
        using var wrong = await client.SendAsync(SignIn("not-the-admin-key-at-all"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.False(wrong.Headers.Contains("Set-Cookie"));
        Assert.Contains("not the admin key", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var signedIn = await client.SendAsync(SignIn(ExampleSilo.AdminKey));
        Assert.Equal(HttpStatusCode.SeeOther, signedIn.StatusCode);
        Assert.Equal("/dashboard", signedIn.Headers.Location?.OriginalString);
        var setCookie = Assert.Single(signedIn.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/;", setCookie + ";", StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(ExampleSilo.AdminKey, Uri.UnescapeDataString(setCookie), StringComparison.Ordinal);
        var cookie = setCookie[..setCookie.IndexOf(';', StringComparison.Ordinal)];

        using var overview = await client.SendAsync(Get("/dashboard/api/overview", cookie: cookie));
        Assert.Equal(HttpStatusCode.OK, overview.StatusCode);
        using var body = JsonDocument.Parse(await overview.Content.ReadAsStringAsync());
        Assert.Contains(body.RootElement.GetProperty("tenants").EnumerateArray(), t => t.GetProperty("slug").GetString() == "acme");
        using var executions = await client.SendAsync(Get("/admin/tenants/acme/executions", cookie: cookie));
        Assert.Equal(HttpStatusCode.OK, executions.StatusCode);

        // A cookie never authorizes a change: that needs the key itself.
        using var change = new HttpRequestMessage(HttpMethod.Put, "/admin/tenants/acme/budget") { Content = new StringContent("{\"daily_cap_usd\": 1}", System.Text.Encoding.UTF8, "application/json") };
        change.Headers.Add("Cookie", cookie);
        using var refused = await client.SendAsync(change);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        using var reload = new HttpRequestMessage(HttpMethod.Post, "/admin/tenants/reload");
        reload.Headers.Add("Cookie", cookie);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(reload)).StatusCode);
    }

    [Fact]
    public async Task A_sign_in_over_HTTPS_gets_a_secure_cookie()
    {
        using var client = _silo.Client("https");
        using var signedIn = await client.SendAsync(SignIn(ExampleSilo.AdminKey, origin: "https://localhost"));
        Assert.Equal(HttpStatusCode.SeeOther, signedIn.StatusCode);
        Assert.Contains("secure", Assert.Single(signedIn.Headers.GetValues("Set-Cookie")), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("https://attacker.example")]
    [InlineData("http://localhost.attacker.example")]
    [InlineData("https://localhost")]
    [InlineData("null")]
    public async Task A_sign_in_posted_from_another_site_is_refused_and_sets_nothing(string origin)
    {
        using var client = _silo.Client();
        using var response = await client.SendAsync(SignIn(ExampleSilo.AdminKey, origin));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
        Assert.Contains("another site", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signing_out_clears_the_cookie()
    {
        using var client = _silo.Client();
        using var signOut = new HttpRequestMessage(HttpMethod.Post, "/dashboard/logout");
        signOut.Headers.Add("Origin", "http://localhost");
        using var response = await client.SendAsync(signOut);
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/dashboard/login", response.Headers.Location?.OriginalString);
        var cleared = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith($"{DashboardSessions.CookieName}=;", cleared, StringComparison.Ordinal);
        Assert.Contains("expires=Thu, 01 Jan 1970", cleared, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task An_oversized_sign_in_form_is_refused_without_reading_it()
    {
        using var client = _silo.Client();
        using var request = SignIn(new string('k', 10_000));
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    private static HttpRequestMessage Get(string path, string? bearer = null, string? cookie = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        return request;
    }

    private static HttpRequestMessage SignIn(string key, string origin = "http://localhost")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/dashboard/login")
        {
            Content = new FormUrlEncodedContent([KeyValuePair.Create("admin_key", key)]),
        };
        request.Headers.Add("Origin", origin);
        return request;
    }
}

/// <summary>With no admin key configured the dashboard follows the admin API: callers on this machine only, no sign-in.</summary>
public sealed class DashboardWithoutAdminKeyTests : IAsyncLifetime
{
    private readonly ExampleSilo _silo = new(adminKey: null);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    [Fact]
    public async Task A_caller_on_this_machine_sees_the_page_and_its_data_without_signing_in()
    {
        var page = await SendFromAsync(IPAddress.Loopback, "/dashboard");
        Assert.Equal(StatusCodes.Status200OK, page.Response.StatusCode);
        Assert.DoesNotContain("Sign out", await new StreamReader(page.Response.Body).ReadToEndAsync(), StringComparison.Ordinal);
        Assert.Equal(StatusCodes.Status200OK, (await SendFromAsync(IPAddress.IPv6Loopback, "/dashboard/api/overview")).Response.StatusCode);
        var login = await SendFromAsync(IPAddress.Loopback, "/dashboard/login");
        Assert.Equal(StatusCodes.Status302Found, login.Response.StatusCode);
    }

    [Theory]
    [InlineData("/dashboard")]
    [InlineData("/dashboard/login")]
    [InlineData("/dashboard/api/overview")]
    [InlineData("/dashboard/assets/dashboard.js")]
    public async Task A_caller_from_another_machine_is_refused(string path)
    {
        var context = await SendFromAsync(IPAddress.Parse("192.0.2.10"), path);
        Assert.Equal(StatusCodes.Status403Forbidden, context.Response.StatusCode);
    }

    private Task<HttpContext> SendFromAsync(IPAddress remote, string path) =>
        _silo.Server.SendAsync(context =>
        {
            context.Request.Method = HttpMethods.Get;
            context.Request.Path = path;
            context.Connection.RemoteIpAddress = remote;
        });
}
