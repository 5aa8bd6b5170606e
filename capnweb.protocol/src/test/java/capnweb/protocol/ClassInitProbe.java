package capnweb.protocol;

import java.lang.reflect.Method;
import java.util.List;

/**
 * Run in a JVM of its own by {@link ClassInitTest}: initializes {@link StubHook} and prints every
 * hook class that this initialized too. Needs {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED}.
 */
public final class ClassInitProbe {
    private ClassInitProbe() {
    }

    public static void main(String[] args) throws Exception {
        ClassLoader loader = ClassInitProbe.class.getClassLoader();
        Class<?> unsafeClass = Class.forName("jdk.internal.misc.Unsafe");
        Object unsafe = unsafeClass.getMethod("getUnsafe").invoke(null);
        Method shouldBeInitialized = unsafeClass.getMethod("shouldBeInitialized", Class.class);
        Class.forName("capnweb.protocol.StubHook", true, loader);
        for (String name : List.of("ErrorHook", "PayloadHook", "PromiseHook", "ImportHook", "ValueHook")) {
            Class<?> hook = Class.forName("capnweb.protocol." + name, false, loader);
            if (!(Boolean) shouldBeInitialized.invoke(unsafe, hook)) {
                System.out.println("initialized " + name);
            }
        }
        System.out.println("done");
    }
}
