using System.Runtime.InteropServices;

namespace OrleansTenancy.Tenancy.Registry.Parsing;

/// <summary>What kind of thing a path names, as the file system says.</summary>
internal enum FileKind
{
    /// <summary>Nothing is there (or a link points nowhere).</summary>
    Missing,

    /// <summary>An ordinary file.</summary>
    Regular,

    /// <summary>A folder.</summary>
    Directory,

    /// <summary>A named pipe: opening it for reading waits for a writer, possibly for ever.</summary>
    Fifo,

    /// <summary>A character or block device (<c>/dev/zero</c> never ends).</summary>
    Device,

    /// <summary>A socket or anything else that is not a file.</summary>
    Other,
}

/// <summary>
/// Asks the file system what a path is and where it really leads, without opening it. Opening is what must be avoided:
/// reading a FIFO blocks until someone writes to it, and a device may never end.
/// </summary>
/// <remarks>
/// On Linux the kind comes from <c>statx(2)</c>, whose result layout is the same on every architecture, and the real
/// path from <c>realpath(3)</c>. Elsewhere the managed view is used: links are resolved by .NET and every non-folder
/// counts as a regular file, so the size limit still bounds what is read.
/// </remarks>
internal static class FileSystemProbe
{
    /// <summary>What <paramref name="path"/> leads to (links followed) and its size in bytes.</summary>
    public static (FileKind Kind, long Size) Describe(string path)
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                return DescribeLinux(path);
            }
            catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
            {
                // A C library without statx (older musl): fall through to the managed view.
            }
        }

        if (Directory.Exists(path))
        {
            return (FileKind.Directory, 0);
        }

        var file = new FileInfo(path);
        return file.Exists ? (FileKind.Regular, file.Length) : (FileKind.Missing, 0);
    }

    /// <summary>The absolute path <paramref name="path"/> leads to with every link resolved, or <see langword="null"/> when it leads nowhere.</summary>
    public static string? RealPath(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            var resolved = NativeMethods.RealPath(CString(path), IntPtr.Zero);
            if (resolved == IntPtr.Zero)
            {
                return null;
            }

            try
            {
                return Marshal.PtrToStringUTF8(resolved);
            }
            finally
            {
                NativeMethods.Free(resolved);
            }
        }

        var full = Path.GetFullPath(path);
        FileSystemInfo info = Directory.Exists(full) ? new DirectoryInfo(full) : new FileInfo(full);
        return info.Exists ? (info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full) : null;
    }

    /// <summary>Whether <paramref name="realPath"/> lies inside the folder whose real path is <paramref name="realRoot"/>.</summary>
    public static bool IsInside(string realPath, string realRoot) =>
        realPath.StartsWith(Path.TrimEndingDirectorySeparator(realRoot) + Path.DirectorySeparatorChar, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

    private static (FileKind Kind, long Size) DescribeLinux(string path)
    {
        const int AtCurrentDirectory = -100;
        const uint TypeAndSize = 0x1 /* STATX_TYPE */ | 0x200 /* STATX_SIZE */;
        var buffer = new byte[256];
        if (NativeMethods.Statx(AtCurrentDirectory, CString(path), 0, TypeAndSize, buffer) != 0)
        {
            return (FileKind.Missing, 0);
        }

        // struct statx: stx_mode (u16) at byte 28, stx_size (u64) at byte 40.
        var mode = BitConverter.ToUInt16(buffer, 28) & 0xF000;
        var size = (long)Math.Min(BitConverter.ToUInt64(buffer, 40), long.MaxValue);
        var kind = mode switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0x1000 => FileKind.Fifo,
            0x2000 or 0x6000 => FileKind.Device,
            _ => FileKind.Other,
        };
        return (kind, size);
    }

    // Paths cross as NUL-terminated UTF-8, the form the C library reads.
    private static byte[] CString(string path)
    {
        var bytes = new byte[System.Text.Encoding.UTF8.GetByteCount(path) + 1];
        System.Text.Encoding.UTF8.GetBytes(path, bytes);
        return bytes;
    }

    private static class NativeMethods
    {
        static NativeMethods() =>
            // Prefer the C library's run-time name; "libc.so" may be a linker script on systems with development files.
            NativeLibrary.SetDllImportResolver(typeof(NativeMethods).Assembly, static (name, assembly, searchPath) =>
                name == "libc" && OperatingSystem.IsLinux() && NativeLibrary.TryLoad("libc.so.6", assembly, searchPath, out var handle) ? handle : IntPtr.Zero);

        [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int Statx(int directory, byte[] path, int flags, uint mask, [Out] byte[] buffer);

        [DllImport("libc", EntryPoint = "realpath", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern IntPtr RealPath(byte[] path, IntPtr resolved);

        [DllImport("libc", EntryPoint = "free")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern void Free(IntPtr pointer);
    }
}
