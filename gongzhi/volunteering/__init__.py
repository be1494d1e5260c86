"""Activities, volunteers and their certified hours (志愿服务)."""
