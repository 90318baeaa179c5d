using Microsoft.Playwright;

namespace OrleansTenancy.Dashboard.Tests.Browser;

/// <summary>
/// Debian's Chromium (installed by <c>deploy/install-deps.sh</c>), driven by Playwright. Browsers cannot be downloaded on
/// the machines the suite runs on, so Playwright is given the system binary.
/// </summary>
internal static class Chromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>
    /// Switches that keep Chromium from reaching out on a closed network (its background connections would fail and
    /// slow every start). Playwright adds <c>--headless</c> and a fresh temporary <c>--user-data-dir</c> per launch.
    /// </summary>
    public static readonly string[] Switches =
    [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    ];

    public static async Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException(
                $"No Chromium at {ExecutablePath}: the browser tests drive Debian's chromium package. Run deploy/install-deps.sh as root (./test.sh does) to install it.");
        }

        return await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = Switches,
            Timeout = 60_000,
        });
    }
}
