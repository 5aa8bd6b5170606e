package capnweb.protocol;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Run in a JVM of its own by {@link ClassInitTest}. Initializes every class of {@code capnweb.api}
 * and {@code capnweb.protocol} alone, each in a new class loader, records which of their classes
 * that initialized, and prints every pair of classes whose initializations need each other: two
 * threads initializing one each deadlock. A subclass needs its superclass, so a superclass whose
 * initializer makes a subclass is such a pair. Needs
 * {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED}.
 */
public final class ClassInitProbe {
    private ClassInitProbe() {
    }

    public static void main(String[] args) throws Exception {
        List<Path> roots = List.of(rootOf(StubHook.class), rootOf(capnweb.api.RpcStub.class));
        URL[] urls = new URL[roots.size()];
        for (int i = 0; i < urls.length; i++) {
            urls[i] = roots.get(i).toUri().toURL();
        }
        Class<?> unsafeClass = Class.forName("jdk.internal.misc.Unsafe");
        Object unsafe = unsafeClass.getMethod("getUnsafe").invoke(null);
        Method shouldBeInitialized = unsafeClass.getMethod("shouldBeInitialized", Class.class);

        Map<String, Set<String>> initializes = new TreeMap<>();
        for (String name : classNames(roots)) {
            IsolatingLoader loader = new IsolatingLoader(urls, ClassInitProbe.class.getClassLoader());
            try {
                Class.forName(name, true, loader);
            } catch (Throwable e) {
                System.out.println("cannot initialize " + name + " alone: " + e);
                continue;
            }
            Set<String> initialized = new TreeSet<>();
            for (Class<?> c : loader.defined) {
                if (c.getName() != name && !(Boolean) shouldBeInitialized.invoke(unsafe, c)) {
                    initialized.add(c.getName());
                }
            }
            initializes.put(name, initialized);
        }
        initializes.forEach((a, set) -> set.forEach(b -> {
            if (a.compareTo(b) < 0 && initializes.getOrDefault(b, Set.of()).contains(a)) {
                System.out.println(a + " and " + b + " each initialize the other");
            }
        }));
        System.out.println("checked " + initializes.size());
    }

    private static Path rootOf(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static List<String> classNames(List<Path> roots) throws IOException {
        List<String> names = new ArrayList<>();
        for (Path root : roots) {
            if (Files.isDirectory(root)) {
                try (Stream<Path> files = Files.walk(root)) {
                    files.map(p -> root.relativize(p).toString().replace(root.getFileSystem().getSeparator(), "/"))
                            .forEach(entry -> addClass(names, entry));
                }
            } else {
                try (JarFile jar = new JarFile(root.toFile())) {
                    jar.stream().map(JarEntry::getName).forEach(entry -> addClass(names, entry));
                }
            }
        }
        return names;
    }

    private static void addClass(List<String> names, String entry) {
        if (entry.startsWith("capnweb/") && entry.endsWith(".class") && !entry.endsWith("module-info.class")
                && !entry.endsWith("package-info.class")) {
            names.add(entry.substring(0, entry.length() - ".class".length()).replace('/', '.'));
        }
    }

    /** Defines the project's classes itself, so that each loader starts with none initialized. */
    private static final class IsolatingLoader extends URLClassLoader {
        final List<Class<?>> defined = new ArrayList<>();

        IsolatingLoader(URL[] urls, ClassLoader parent) throws MalformedURLException {
            super(urls, parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith("capnweb.")) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    c = findClass(name);
                    defined.add(c);
                }
                return c;
            }
        }
    }
}
