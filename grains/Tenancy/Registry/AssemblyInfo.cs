using System.Runtime.CompilerServices;

// Tests drive the watcher's debounce directly with a manual clock instead of waiting on real file events.
[assembly: InternalsVisibleTo("OrleansTenancy.Tenancy.Tests")]
