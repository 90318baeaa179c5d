namespace OrleansTenancy.Silo.Tests;

/// <summary>Paths inside the repository the tests run from.</summary>
internal static class RepositoryPaths
{
    /// <summary>The folder holding OrleansTenancy.sln, found by walking up from the test binaries.</summary>
    public static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OrleansTenancy.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No OrleansTenancy.sln above '{AppContext.BaseDirectory}'; run the tests from a checkout of the repository.");
    }
}
