using System.Collections.Frozen;
using System.Text;
using System.Text.Encodings.Web;

namespace OrleansTenancy.Silo.Dashboard;

/// <summary>
/// The dashboard's files, embedded in the silo assembly (no CDN, nothing to install beside the binary): the page and
/// sign-in templates, the script and the stylesheet.
/// </summary>
internal static class DashboardAssets
{
    private static readonly FrozenDictionary<string, string> _files = Load();

    public static string Script => _files["dashboard.js"];

    public static string Stylesheet => _files["dashboard.css"];

    /// <summary>The page, for a silo served under <paramref name="pathBase"/>.</summary>
    public static string Page(string pathBase, TimeSpan refreshInterval, bool signOut) => Fill(_files["dashboard.html"], new()
    {
        ["base"] = HtmlEncoder.Default.Encode(pathBase),
        ["refresh_ms"] = ((long)refreshInterval.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["sign_out"] = signOut
            ? $"""<form method="post" action="{HtmlEncoder.Default.Encode(pathBase)}/dashboard/logout" class="sign-out"><button type="submit">Sign out</button></form>"""
            : string.Empty,
    });

    /// <summary>The sign-in page with an optional message; <paramref name="form"/> says whether to offer the key field.</summary>
    public static string Login(string pathBase, string? message, bool form)
    {
        var encodedBase = HtmlEncoder.Default.Encode(pathBase);
        return Fill(_files["login.html"], new()
        {
            ["base"] = encodedBase,
            ["message"] = message is null ? string.Empty : $"""<p class="error" role="alert" id="login-error">{HtmlEncoder.Default.Encode(message)}</p>""",
            ["form"] = form
                ? $"""
                  <form method="post" action="{encodedBase}/dashboard/login" class="login-form">
                    <label for="admin-key">Admin key</label>
                    <input id="admin-key" name="admin_key" type="password" autocomplete="current-password" required autofocus>
                    <button type="submit">Sign in</button>
                  </form>
                  """
                : string.Empty,
        });
    }

    private static string Fill(string template, Dictionary<string, string> values)
    {
        var text = new StringBuilder(template);
        foreach (var (name, value) in values)
        {
            text.Replace("{{" + name + "}}", value);
        }

        return text.ToString();
    }

    private static FrozenDictionary<string, string> Load()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        const string Prefix = "Dashboard.";
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            files[name[Prefix.Length..]] = reader.ReadToEnd();
        }

        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
