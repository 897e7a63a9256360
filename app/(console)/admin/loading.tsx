export { default } from "../(home)/loading";
