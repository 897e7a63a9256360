export { default } from "@/app/(console)/(home)/loading";
